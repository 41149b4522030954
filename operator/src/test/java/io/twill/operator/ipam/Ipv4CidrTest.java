package io.twill.operator.ipam;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ipv4CidrTest {

    @Test
    void parsesAndFormats() {
        Ipv4Cidr c = Ipv4Cidr.parse("10.244.0.0/16");
        assertThat(c.network()).isEqualTo(0x0AF40000L);
        assertThat(c.prefix()).isEqualTo(16);
        assertThat(c).hasToString("10.244.0.0/16");
        assertThat(c.size()).isEqualTo(65536);
        assertThat(Ipv4Cidr.formatAddress(c.last())).isEqualTo("10.244.255.255");
        assertThat(Ipv4Cidr.parse("0.0.0.0/0").size()).isEqualTo(1L << 32);
        assertThat(Ipv4Cidr.parse("255.255.255.255/32").last()).isEqualTo(0xFFFF_FFFFL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0/8", "10.0.0.0.0/8", "10.0.0.256/32", "10.0.0.0/33", "10.0.0.0/-1",
            "010.0.0.0/8", "10.0.0.0/08", " 10.0.0.0/8", "10.0.0.0/8 ", "a.b.c.d/8", "10..0.0/8", "", "/", "10.0.0.0/"})
    void rejectsMalformedText(String text) {
        assertThatThrownBy(() -> Ipv4Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void rejectsHostBitsAndSaysWhichNetworkWasMeant() {
        assertThatThrownBy(() -> Ipv4Cidr.parse("10.1.2.3/16"))
                .hasMessageContaining("host bits set").hasMessageContaining("10.1.0.0/16");
    }

    @Test
    void containmentOverlapAndSubnets() {
        Ipv4Cidr pool = Ipv4Cidr.parse("10.0.0.0/8");
        Ipv4Cidr block = Ipv4Cidr.parse("10.1.2.0/24");
        assertThat(pool.contains(block)).isTrue();
        assertThat(block.contains(pool)).isFalse();
        assertThat(block.overlaps(pool)).isTrue();
        assertThat(Ipv4Cidr.parse("11.0.0.0/8").overlaps(pool)).isFalse();
        assertThat(pool.subnetCount(24)).isEqualTo(65536);
        assertThat(pool.subnet(24, 258)).isEqualTo(block);
        assertThat(pool.indexOf(block)).isEqualTo(258);
        assertThat(pool.subnet(24, 65535)).hasToString("10.255.255.0/24");
        assertThatThrownBy(() -> pool.subnet(24, 65536)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> block.subnetCount(16)).isInstanceOf(IllegalArgumentException.class);
    }
}
