package io.twill.types;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingModeTest {
    @Test
    void readsConfigValuesAndKeepsTheRodataCodes() {
        assertThat(RoutingMode.parse("overlay")).isEqualTo(RoutingMode.OVERLAY);
        assertThat(RoutingMode.parse(" VXLAN ")).isEqualTo(RoutingMode.OVERLAY);
        assertThat(RoutingMode.parse("tunnel")).isEqualTo(RoutingMode.OVERLAY);
        assertThat(RoutingMode.parse("Native")).isEqualTo(RoutingMode.NATIVE);
        assertThat(RoutingMode.NATIVE.value()).isEqualTo("native");
        assertThat(RoutingMode.OVERLAY.code()).isZero();  // ROUTING_OVERLAY in bpf-src/src/lib/config.h
        assertThat(RoutingMode.NATIVE.code()).isEqualTo(1); // ROUTING_NATIVE
        assertThatThrownBy(() -> RoutingMode.parse("bgp")).hasMessageContaining("unknown routing mode 'bgp'");
        assertThatThrownBy(() -> RoutingMode.parse(null)).hasMessageContaining("missing");
    }
}
