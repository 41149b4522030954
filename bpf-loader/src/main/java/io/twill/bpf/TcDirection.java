package io.twill.bpf;

/** Which way traffic passes the TC hook: into the stack from the device (ingress) or out to it (egress). */
public enum TcDirection {
    INGRESS(1, 46),
    EGRESS(2, 47);

    private final int tcAttachPoint;
    private final int tcxAttachType;

    TcDirection(int tcAttachPoint, int tcxAttachType) {
        this.tcAttachPoint = tcAttachPoint;
        this.tcxAttachType = tcxAttachType;
    }

    /** libbpf's {@code enum bpf_tc_attach_point}: BPF_TC_INGRESS = 1, BPF_TC_EGRESS = 2. */
    public int tcAttachPoint() { return tcAttachPoint; }

    /** The kernel's {@code enum bpf_attach_type}: BPF_TCX_INGRESS = 46, BPF_TCX_EGRESS = 47. */
    public int tcxAttachType() { return tcxAttachType; }

    static TcDirection ofTcxAttachType(int type) {
        for (TcDirection d : values()) if (d.tcxAttachType == type) return d;
        throw new IllegalArgumentException("attach type " + type + " is not a TCX direction");
    }

    @Override
    public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }
}
