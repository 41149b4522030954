package io.twill.bpf;

/** Which TC attachment mechanism to use. */
public enum TcMode {
    /** TCX when the kernel has it ({@link Features#tcx()}, Linux >= 6.6), else cls_bpf. */
    AUTO,
    /** TCX links only; {@link UnsupportedFeatureException} on older kernels. */
    TCX,
    /** A direct-action cls_bpf filter on a clsact qdisc (netlink), which every BPF-capable kernel has. */
    CLS_BPF
}
