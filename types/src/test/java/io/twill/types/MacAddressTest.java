package io.twill.types;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MacAddressTest {
    @Test
    void parsesFormatsAndRoundTrips() {
        MacAddress m = MacAddress.parse("02:1A:2b:3c:4d:5E");
        assertThat(m.toString()).isEqualTo("02:1a:2b:3c:4d:5e");
        assertThat(m.bits()).isEqualTo(0x021a2b3c4d5eL);
        assertThat(MacAddress.of(m.bytes())).isEqualTo(m);
        assertThat(MacAddress.parse("02-1a-2b-3c-4d-5e")).isEqualTo(m);
        assertThat(MacAddress.parse(m.toString())).isEqualTo(m);
        assertThat(m.isLocallyAdministered()).isTrue();
        assertThat(m.isMulticast()).isFalse();
        assertThat(MacAddress.parse("ff:ff:ff:ff:ff:ff").isMulticast()).isTrue();
        assertThat(new MacAddress(0).isZero()).isTrue();
        assertThat(new MacAddress(0)).hasToString("00:00:00:00:00:00");
    }

    @Test
    void rejectsGarbage() {
        assertThatThrownBy(() -> MacAddress.parse("02:1a:2b:3c:4d")).hasMessageContaining("aa:bb:cc:dd:ee:ff");
        assertThatThrownBy(() -> MacAddress.parse("02:1a:2b:3c:4d:zz")).hasMessageContaining("non-hex");
        assertThatThrownBy(() -> MacAddress.parse("02:1a:2b;3c:4d:5e")).hasMessageContaining("aa:bb:cc:dd:ee:ff");
        assertThatThrownBy(() -> MacAddress.parse(" 02:1a:2b:3c:4d:5e")).hasMessageContaining("aa:bb:cc:dd:ee:ff");
        // Character.digit takes full-width and other Unicode hex digits; a MAC is ASCII.
        assertThatThrownBy(() -> MacAddress.parse("02:1a:2b:3c:4d:\uff15e")).hasMessageContaining("non-hex");
        assertThatThrownBy(() -> MacAddress.of(new byte[5])).hasMessageContaining("6 bytes");
        assertThatThrownBy(() -> MacAddress.of(null)).hasMessageContaining("6 bytes");
        assertThatThrownBy(() -> new MacAddress(1L << 48)).hasMessageContaining("48 bits");
    }

    @Test
    void randomMacsAreLocalUnicastAndDiffer() {
        for (int i = 0; i < 200; i++) {
            MacAddress m = MacAddress.randomLocal();
            assertThat(m.isLocallyAdministered()).isTrue();
            assertThat(m.isMulticast()).isFalse();
        }
        assertThat(MacAddress.randomLocal()).isNotEqualTo(MacAddress.randomLocal());
    }
}
