package io.twill.types;

import java.util.Locale;

/**
 * How pod traffic crosses between nodes: the agent's {@code network.routingMode} and the datapath's
 * {@code cfg_routing_mode} (bpf-src/src/lib/config.h), one enum for both.
 */
public enum RoutingMode {
    /** VXLAN ({@code twill_vxlan}, external): bpf_lxc sets a tunnel key (remote = owning node) and redirects to it;
     *  pod routes carry the uplink MTU - 50. */
    OVERLAY(0),
    /** No encapsulation: the kernel routes each remote pod CIDR via its node's IP (flannel host-gw style); full MTU. */
    NATIVE(1);

    private final int code;

    RoutingMode(int code) {
        this.code = code;
    }

    /** The rodata value ({@code ROUTING_OVERLAY}, {@code ROUTING_NATIVE}). */
    public int code() { return code; }

    /** Reads a config value: {@code overlay} (also {@code tunnel}, {@code vxlan}) or {@code native}, any case. */
    public static RoutingMode parse(String s) {
        if (s == null) throw new IllegalArgumentException("routing mode is missing (overlay or native)");
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "overlay", "tunnel", "vxlan" -> OVERLAY;
            case "native" -> NATIVE;
            default -> throw new IllegalArgumentException("unknown routing mode '" + s + "' (overlay or native)");
        };
    }

    /** The config value: {@code overlay} or {@code native}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
