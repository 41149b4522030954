package io.twill.maps.datapath;

/** How pod traffic crosses between nodes ({@code cfg_routing_mode} in bpf-src/src/lib/config.h). */
public enum RoutingMode {
    /** VXLAN: bpf_lxc sets a tunnel key (remote = owning node) and redirects to twill_vxlan. */
    OVERLAY(0),
    /** No encapsulation: the kernel routes each remote pod CIDR via its node's IP (a route per node). */
    NATIVE(1);

    private final int code;

    RoutingMode(int code) {
        this.code = code;
    }

    /** The rodata value. */
    public int code() { return code; }
}
