package io.twill.types;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ipv4Test {
    @Test
    void parsesFormatsAndConverts() {
        assertThat(Ipv4.parse("192.168.200.1").getHostAddress()).isEqualTo("192.168.200.1");
        assertThat(Ipv4.parseInt("10.244.1.5")).isEqualTo(0x0AF40105);
        assertThat(Ipv4.toInt(Ipv4.parse("192.168.200.1"))).isEqualTo(Ipv4.parseInt("192.168.200.1"));
        assertThat(Ipv4.fromInt(0xC0A80102)).isEqualTo(Ipv4.parse("192.168.1.2"));
        assertThat(Ipv4.format(-1)).isEqualTo("255.255.255.255");
        assertThat(Ipv4.format(Ipv4.parseInt("0.0.0.0"))).isEqualTo("0.0.0.0");
        assertThat(Ipv4.ANY.getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(Ipv4.mask(0)).isZero();
        assertThat(Ipv4.mask(24)).isEqualTo(0xFFFFFF00);
        assertThat(Ipv4.mask(32)).isEqualTo(-1);
        assertThatThrownBy(() -> Ipv4.mask(33)).hasMessageContaining("outside 0..32");
    }

    @Test
    void unicast() {
        assertThat(Ipv4.isUnicast(Ipv4.parse("10.0.0.1"))).isTrue();
        assertThat(Ipv4.isUnicast(Ipv4.ANY)).isFalse();
        assertThat(Ipv4.isUnicast(Ipv4.parse("255.255.255.255"))).isFalse();
        assertThat(Ipv4.isUnicast(Ipv4.parse("224.0.0.1"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.", ".1.2.3", "256.0.0.1", "1.2.3.-4", "1.2.3.+4",
            "01.2.3.4", "1.2.3.04", "1.2.3.0004", " 1.2.3.4", "1.2.3.4 ", "example.com", "a.b.c.d", "0x1.2.3.4",
            "\u0661.2.3.4", "1.2.3.4/24"})
    void rejects(String text) {
        assertThatThrownBy(() -> Ipv4.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not an IPv4 address");
    }
}
