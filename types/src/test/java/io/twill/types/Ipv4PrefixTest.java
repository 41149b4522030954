package io.twill.types;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one IPv4 prefix type: parsing, formatting and arithmetic, with every bad input the four former copies (agent and
 * operator {@code Ipv4Cidr}, maps and netlink {@code Ipv4Prefix}) were tested with. The operator writes pod CIDRs that
 * the agent parses, so both must refuse the same texts.
 */
class Ipv4PrefixTest {
    @Test
    void parsesAndFormats() {
        Ipv4Prefix c = Ipv4Prefix.parse("10.244.0.0/16");
        assertThat(c.network()).isEqualTo(0x0AF40000);
        assertThat(c.length()).isEqualTo(16);
        assertThat(c).hasToString("10.244.0.0/16");
        assertThat(Ipv4Prefix.parse(c.toString())).isEqualTo(c);
        assertThat(c.address()).isEqualTo(Ipv4.parse("10.244.0.0"));
        assertThat(c.netmask()).isEqualTo(Ipv4.parse("255.255.0.0"));
        assertThat(c.size()).isEqualTo(65536);
        assertThat(Ipv4.format(c.last())).isEqualTo("10.244.255.255");
        assertThat(Ipv4Prefix.parse("0.0.0.0/0")).isEqualTo(Ipv4Prefix.DEFAULT);
        assertThat(Ipv4Prefix.DEFAULT.size()).isEqualTo(1L << 32);
        assertThat(Ipv4Prefix.parse("255.255.255.255/32").last()).isEqualTo(-1);
        assertThat(new Ipv4Prefix(Ipv4.parse("10.244.1.0"), 24)).isEqualTo(Ipv4Prefix.parse("10.244.1.0/24"));
    }

    @Test
    void containsAndComputes() {
        Ipv4Prefix c = Ipv4Prefix.parse("10.0.3.0/24");
        assertThat(c.contains(Ipv4.parseInt("10.0.3.77"))).isTrue();
        assertThat(c.contains(Ipv4.parse("10.0.4.0"))).isFalse();
        assertThat(Ipv4Prefix.parse("10.0.0.0/8").contains(c)).isTrue();
        assertThat(c.contains(Ipv4Prefix.parse("10.0.0.0/8"))).isFalse();
        assertThat(c.overlaps(Ipv4Prefix.parse("10.0.0.0/8"))).isTrue();
        assertThat(Ipv4Prefix.parse("11.0.0.0/8").overlaps(Ipv4Prefix.parse("10.0.0.0/8"))).isFalse();
        assertThat(Ipv4Prefix.parse("255.255.255.255/32").contains(-1)).isTrue();
        assertThat(Ipv4Prefix.DEFAULT.contains(Ipv4.parse("8.8.8.8"))).isTrue();
        assertThat(Ipv4.format(c.addressAt(1))).isEqualTo("10.0.3.1");
        assertThatThrownBy(() -> c.addressAt(256)).hasMessageContaining("outside 10.0.3.0/24");
        assertThat(Ipv4Prefix.host(Ipv4.parse("10.1.2.3"))).hasToString("10.1.2.3/32");
        assertThat(Ipv4Prefix.containing(Ipv4.parse("10.1.2.3"), 16)).hasToString("10.1.0.0/16");
        assertThat(Ipv4Prefix.parse("192.168.0.0/16").compareTo(Ipv4Prefix.parse("10.0.0.0/8"))).isPositive();
        assertThat(Ipv4Prefix.parse("200.0.0.0/8").compareTo(Ipv4Prefix.parse("10.0.0.0/8"))).as("unsigned order").isPositive();
        assertThat(Ipv4Prefix.parse("10.0.0.0/8").compareTo(Ipv4Prefix.parse("10.0.0.0/16"))).isNegative();
    }

    @Test
    void subnets() {
        Ipv4Prefix pool = Ipv4Prefix.parse("10.0.0.0/8");
        Ipv4Prefix block = Ipv4Prefix.parse("10.1.2.0/24");
        assertThat(pool.subnetCount(24)).isEqualTo(65536);
        assertThat(pool.subnet(24, 258)).isEqualTo(block);
        assertThat(pool.indexOf(block)).isEqualTo(258);
        assertThat(pool.subnet(24, 65535)).hasToString("10.255.255.0/24");
        assertThat(Ipv4Prefix.parse("192.0.0.0/2").indexOf(Ipv4Prefix.parse("255.255.255.0/24"))).isEqualTo((1L << 22) - 1);
        assertThat(Ipv4Prefix.DEFAULT.subnet(1, 1)).hasToString("128.0.0.0/1");
        assertThatThrownBy(() -> pool.subnet(24, 65536)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> block.subnetCount(16)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> block.indexOf(pool)).hasMessageContaining("is not inside");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // no length, too few or too many octets, empty parts
            "10.0.0.0", "10.0.0/8", "10.0.0.0.0/8", "10..0.0/8", "", "/", "10.0.0.0/", "/8",
            // numbers out of range or not numbers
            "10.0.0.256/32", "10.0.-1.0/24", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "a.b.c.d/8", "example.com/24",
            "10.0.0.0/100", "10.0.0.0/+8", "+10.0.0.0/8", "0x0a.0.0.0/8",
            // leading zeros (octal to some parsers), whitespace, non-ASCII digits (Character.isDigit accepts them)
            "010.0.0.0/8", "10.0.0.0/08", "10.0.00.0/16", " 10.0.0.0/8", "10.0.0.0/8 ", " 1.2.3.4/ ", "10.0.0.0 /8",
            "\u0661\u0660.0.0.0/8", "10.0.0.0/\u0668",
            // host bits
            "10.0.0.1/24", "10.244.1.5/24", "10.1.2.3/16"})
    void rejects(String text) {
        assertThatThrownBy(() -> Ipv4Prefix.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void messagesSayWhatIsWrong() {
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.1.2.3/16"))
                .hasMessageContaining("host bits set").hasMessageContaining("did you mean 10.1.0.0/16");
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.0/33")).hasMessageContaining("outside 0..32");
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.256/32")).hasMessageContaining("not an IPv4 address")
                .hasMessageContaining("octet 256 is outside 0..255");
        assertThatThrownBy(() -> Ipv4Prefix.parse("example.com/24")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> Ipv4Prefix.parse("010.0.0.0/8")).hasMessageContaining("leading zero");
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.0")).hasMessageContaining("no '/'");
        assertThatThrownBy(() -> Ipv4Prefix.parse(null)).hasMessageContaining("missing");
        assertThatThrownBy(() -> new Ipv4Prefix(Ipv4.parseInt("10.0.2.7"), 24)).hasMessageContaining("did you mean 10.0.2.0/24");
        assertThatThrownBy(() -> new Ipv4Prefix(0, 33)).hasMessageContaining("outside 0..32");
        assertThatThrownBy(() -> Ipv4Prefix.containing(Ipv4.ANY, -1)).hasMessageContaining("outside 0..32");
    }
}
