package io.twill.agent.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ipv4CidrTest {
    @Test
    void parsesAndComputes() {
        Ipv4Cidr c = Ipv4Cidr.parse("10.0.3.0/24");
        assertThat(c.size()).isEqualTo(256);
        assertThat(Ipv4Cidr.format(c.broadcast())).isEqualTo("10.0.3.255");
        assertThat(c.contains(Ipv4Cidr.parseAddress("10.0.3.77"))).isTrue();
        assertThat(c.contains(Ipv4Cidr.parseAddress("10.0.4.0"))).isFalse();
        assertThat(Ipv4Cidr.parse("10.0.0.0/8").contains(c)).isTrue();
        assertThat(c.contains(Ipv4Cidr.parse("10.0.0.0/8"))).isFalse();
        assertThat(c.overlaps(Ipv4Cidr.parse("10.0.0.0/8"))).isTrue();
        assertThat(Ipv4Cidr.parse("0.0.0.0/0").size()).isEqualTo(1L << 32);
        assertThat(Ipv4Cidr.parse("255.255.255.255/32").contains(-1)).isTrue();
        assertThat(Ipv4Cidr.format(c.addressAt(1))).isEqualTo("10.0.3.1");
        assertThat(Ipv4Cidr.toInt(Ipv4Cidr.parseInet("192.168.200.1"))).isEqualTo(Ipv4Cidr.parseAddress("192.168.200.1"));
        assertThat(Ipv4Cidr.parse("192.168.0.0/16").compareTo(Ipv4Cidr.parse("10.0.0.0/8"))).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "a.b.c.d/8",
            "10.0.0.256/32", "10.0.0.1/24", "", "10..0.0/8", " 1.2.3.4/ "})
    void rejects(String s) {
        assertThatThrownBy(() -> Ipv4Cidr.parse(s)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(s.strip().isEmpty() ? "" : "");
    }
}
