package io.twill.bpf;

/**
 * The cgroup socket-address hooks Twill attaches to (the kernel's {@code enum bpf_attach_type}, linux/bpf.h), with the
 * ELF section libbpf loads a program for each from. A program can only be attached to the hook it was loaded for.
 */
public enum CgroupAttachType {
    /** {@code BPF_CGROUP_INET4_CONNECT}: connect(2) of an IPv4 TCP or UDP socket. */
    CONNECT4(10, "cgroup/connect4"),
    /** {@code BPF_CGROUP_UDP4_SENDMSG}: sendmsg(2)/sendto(2) with an address on an IPv4 UDP socket. */
    SENDMSG4(14, "cgroup/sendmsg4"),
    /** {@code BPF_CGROUP_UDP4_RECVMSG}: the source address recvmsg(2)/recvfrom(2) reports on an IPv4 UDP socket. */
    RECVMSG4(19, "cgroup/recvmsg4"),
    /** {@code BPF_CGROUP_INET4_GETPEERNAME}: the peer address getpeername(2) reports. */
    GETPEERNAME4(29, "cgroup/getpeername4"),
    /**
     * {@code BPF_CGROUP_INET6_CONNECT}: connect(2) of an IPv6 socket, which reaches IPv4 peers through IPv4-mapped
     * addresses (::ffff:a.b.c.d): how dual-stack runtimes such as the JVM open every IPv4 connection.
     */
    CONNECT6(11, "cgroup/connect6"),
    /** {@code BPF_CGROUP_UDP6_SENDMSG}: sendmsg(2)/sendto(2) with an address on an IPv6 UDP socket. */
    SENDMSG6(15, "cgroup/sendmsg6"),
    /** {@code BPF_CGROUP_UDP6_RECVMSG}: the source address recvmsg(2)/recvfrom(2) reports on an IPv6 UDP socket. */
    RECVMSG6(20, "cgroup/recvmsg6"),
    /** {@code BPF_CGROUP_INET6_GETPEERNAME}: the peer address getpeername(2) reports on an IPv6 socket. */
    GETPEERNAME6(30, "cgroup/getpeername6");

    private final int attachType;
    private final String section;

    CgroupAttachType(int attachType, String section) {
        this.attachType = attachType;
        this.section = section;
    }

    /** The {@code enum bpf_attach_type} value. */
    public int attachType() { return attachType; }

    /** The libbpf section name of programs for this hook, e.g. {@code cgroup/connect4}. */
    public String section() { return section; }

    /** The hook of a program loaded from {@code section}, e.g. "cgroup/connect4" -> CONNECT4. */
    public static CgroupAttachType ofSection(String section) {
        for (CgroupAttachType t : values()) if (t.section.equals(section)) return t;
        throw new IllegalArgumentException("section '" + section + "' is none of the cgroup hooks "
                + java.util.Arrays.stream(values()).map(CgroupAttachType::section).toList());
    }

    /** The hook with {@code enum bpf_attach_type} value {@code type} (from {@link BpfLink.Info#attachType()}). */
    public static CgroupAttachType ofAttachType(int type) {
        for (CgroupAttachType t : values()) if (t.attachType == type) return t;
        throw new IllegalArgumentException("attach type " + type + " (" + TypeNames.attach(type)
                + ") is not a cgroup socket-address hook Twill knows");
    }

    @Override
    public String toString() { return section; }
}
