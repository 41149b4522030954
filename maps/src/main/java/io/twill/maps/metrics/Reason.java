package io.twill.maps.metrics;

/**
 * {@code enum twill_reason} (bpf-src/src/lib/drop.h): why a packet was dropped, or {@link #FORWARDED}. The codes are
 * part of the map format; {@code ReasonCodesMatchHeaderTest} checks them against the header.
 */
public enum Reason {
    FORWARDED(0, "Forwarded"),
    INVALID_PACKET(1, "Invalid packet"),
    UNSUPPORTED_L3(2, "Unsupported L3 protocol"),
    SPOOFED_SOURCE(3, "Spoofed source address"),
    UNROUTABLE(4, "No node owns the destination"),
    NO_ENDPOINT(5, "No such local endpoint"),
    TTL_EXCEEDED(6, "TTL exceeded"),
    TUNNEL_KEY(7, "Tunnel key failure"),
    WRONG_VNI(8, "Wrong VNI"),
    ARP_UNSUPPORTED(9, "Unanswerable ARP"),
    NO_VXLAN_DEVICE(10, "No VXLAN device configured"),
    NO_SERVICE_BACKEND(11, "Service has no backend"),
    NAT_NO_PORT(12, "No free NAT port"),
    NAT_FAILED(13, "Address translation failed"),
    POLICY_DENIED(14, "Policy denied"),
    NO_ROUTE(15, "No route for translated reply"),
    FRAGMENT(16, "Fragment of a translated flow"),
    /** A code this build does not know (a newer datapath). */
    UNKNOWN(-1, "Unknown reason");

    private static final Reason[] BY_CODE = new Reason[256];

    static {
        for (Reason r : values()) if (r.code >= 0) BY_CODE[r.code] = r;
    }

    private final int code;
    private final String description;

    Reason(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The C value ({@code __u8}); -1 for {@link #UNKNOWN}. */
    public int code() { return code; }

    /** Human text, as the {@code reason} label of {@code twill_drop_count_total}. */
    public String description() { return description; }

    public boolean isDrop() { return this != FORWARDED; }

    public static Reason of(int code) {
        Reason r = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        return r != null ? r : UNKNOWN;
    }

    /** The C enumerator name, e.g. DROP_NO_ENDPOINT. */
    public String cName() {
        return this == FORWARDED ? "REASON_FORWARDED" : "DROP_" + name();
    }
}
