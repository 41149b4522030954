package io.twill.maps.events;

/** {@code enum twill_trace_point} (bpf-src/src/lib/events.h): what the program did with a traced packet. */
public enum TracePoint {
    UNKNOWN(0, "?"),
    TO_ENDPOINT(1, "to-endpoint"),
    TO_OVERLAY(2, "to-overlay"),
    TO_STACK(3, "to-stack"),
    TO_NETDEV(4, "to-netdev");

    private final int code;
    private final String label;

    TracePoint(int code, String label) {
        this.code = code;
        this.label = label;
    }

    public int code() { return code; }

    public String label() { return label; }

    public static TracePoint of(int code) {
        for (TracePoint p : values()) if (p.code == code) return p;
        return UNKNOWN;
    }

    /** The C enumerator name, e.g. TRACE_TO_ENDPOINT. */
    public String cName() {
        return "TRACE_" + name();
    }
}
