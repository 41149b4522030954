package io.twill.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** How pod traffic crosses nodes. */
public enum RoutingMode {
    /** VXLAN ({@code twill_vxlan}, external) between nodes; pod routes carry uplink MTU - 50. */
    OVERLAY,
    /** The kernel routes each remote pod CIDR via that node's IP (flannel host-gw style); full MTU. */
    NATIVE;

    @JsonCreator
    public static RoutingMode parse(String s) {
        if (s == null) throw new IllegalArgumentException("routing mode is missing (overlay or native)");
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "overlay", "tunnel", "vxlan" -> OVERLAY;
            case "native" -> NATIVE;
            default -> throw new IllegalArgumentException("unknown routing mode '" + s + "' (overlay or native)");
        };
    }

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
