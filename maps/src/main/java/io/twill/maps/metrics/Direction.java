package io.twill.maps.metrics;

/** {@code enum twill_dir} (bpf-src/src/lib/drop.h): where a counted packet was going, relative to the pods. */
public enum Direction {
    UNKNOWN(0, "unknown"),
    /** Toward a local pod (bpf_overlay, bpf_host delivering). */
    INGRESS(1, "ingress"),
    /** Leaving a local pod (bpf_lxc). */
    EGRESS(2, "egress"),
    /** Arriving on the uplink for the node itself. */
    HOST_IN(3, "host-in"),
    /** Leaving through the uplink. */
    HOST_OUT(4, "host-out");

    private final int code;
    private final String label;

    Direction(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The C value ({@code __u8}). */
    public int code() { return code; }

    /** The {@code direction} label of the Prometheus counters. */
    public String label() { return label; }

    public static Direction of(int code) {
        for (Direction d : values()) if (d.code == code) return d;
        return UNKNOWN;
    }

    /** The C enumerator name, e.g. DIR_HOST_IN. */
    public String cName() {
        return "DIR_" + name();
    }
}
