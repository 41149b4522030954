package io.twill.maps.ct;

import io.twill.maps.Fields;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct ct_entry} (bpf-src/src/lib/ct.h): the state of one tracked connection. "fwd" is what the initiator
 * sent, "rev" what the responder sent. Times are CLOCK_MONOTONIC seconds ({@link CtMap#monotonicSeconds()}).
 *
 * @param packetsFwd  {@code __u64}, unsigned
 * @param bytesFwd    {@code __u64}, unsigned
 * @param packetsRev  {@code __u64}, unsigned
 * @param bytesRev    {@code __u64}, unsigned
 * @param expires     {@code __u32}: the entry is dead once the clock passes it
 * @param created     {@code __u32}
 * @param srcIdentity {@code __u32}: the initiator's security identity (0 unknown)
 * @param backendId   {@code __u32}: for {@link CtKey#F_SERVICE} entries, the twill_lb_backends id chosen
 * @param revNatIndex {@code __u16}: non-zero, the responder's packets get the twill_lb_revnat[index] source
 * @param flags       {@code __u16} {@code CT_F_*}
 * @param tcpFlagsFwd {@code __u8}: TCP flags seen from the initiator
 * @param tcpFlagsRev {@code __u8}: TCP flags seen from the responder
 */
public record CtEntry(long packetsFwd, long bytesFwd, long packetsRev, long bytesRev, long expires, long created,
                      long srcIdentity, long backendId, int revNatIndex, int flags, int tcpFlagsFwd, int tcpFlagsRev) {
    /** {@code CT_F_INITIATOR_B}: end b of the key opened the connection (else a). */
    public static final int F_INITIATOR_B = 0x0001;
    /** {@code CT_F_SEEN_REPLY}: the responder has answered. */
    public static final int F_SEEN_REPLY = 0x0002;
    /** {@code CT_F_FROM_STACK}: the host stack delivered the opening packet; replies go back through the stack. */
    public static final int F_FROM_STACK = 0x0004;
    /** {@code CT_F_NODEPORT}: opened through a NodePort / external frontend of this node. */
    public static final int F_NODEPORT = 0x0008;
    /** {@code CT_F_CLOSING}: TCP RST seen, or FIN from both ends. */
    public static final int F_CLOSING = 0x0010;
    /** {@code CT_F_FIN_FWD}, {@code CT_F_FIN_REV}: FIN seen from the initiator / the responder. */
    public static final int F_FIN_FWD = 0x0020, F_FIN_REV = 0x0040;
    public static final int KNOWN_FLAGS = 0x007F;

    private static final String[] FLAG_NAMES = {"initiator_b", "seen_reply", "from_stack", "nodeport", "closing",
            "fin_fwd", "fin_rev"};
    private static final String[] TCP_FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("packets_fwd"),
            JAVA_LONG.withName("bytes_fwd"),
            JAVA_LONG.withName("packets_rev"),
            JAVA_LONG.withName("bytes_rev"),
            JAVA_INT.withName("expires"),
            JAVA_INT.withName("created"),
            JAVA_INT.withName("src_identity"),
            JAVA_INT.withName("backend_id"),
            JAVA_SHORT.withName("rev_nat_index"),
            JAVA_SHORT.withName("flags"),
            JAVA_BYTE.withName("tcp_flags_fwd"),
            JAVA_BYTE.withName("tcp_flags_rev"),
            JAVA_SHORT.withName("pad")
    ).withName("ct_entry");

    private static final long PKT_FWD = off("packets_fwd"), BYTES_FWD = off("bytes_fwd"), PKT_REV = off("packets_rev"),
            BYTES_REV = off("bytes_rev"), EXPIRES = off("expires"), CREATED = off("created"),
            IDENTITY = off("src_identity"), BACKEND = off("backend_id"), REVNAT = off("rev_nat_index"),
            FLAGS = off("flags"), TCP_FWD = off("tcp_flags_fwd"), TCP_REV = off("tcp_flags_rev"), PAD = off("pad");

    public CtEntry {
        Protocols.checkUnsigned("ct_entry.expires", expires, 32);
        Protocols.checkUnsigned("ct_entry.created", created, 32);
        Protocols.checkUnsigned("ct_entry.src_identity", srcIdentity, 32);
        Protocols.checkUnsigned("ct_entry.backend_id", backendId, 32);
        Protocols.checkUnsigned("ct_entry.rev_nat_index", revNatIndex, 16);
        Protocols.checkUnsigned("ct_entry.flags", flags, 16);
        Protocols.checkUnsigned("ct_entry.tcp_flags_fwd", tcpFlagsFwd, 8);
        Protocols.checkUnsigned("ct_entry.tcp_flags_rev", tcpFlagsRev, 8);
    }

    public boolean initiatorIsB() {
        return (flags & F_INITIATOR_B) != 0;
    }

    /** "addr:port" of the end that opened the connection. */
    public String initiator(CtKey key) {
        Objects.requireNonNull(key, "key");
        return initiatorIsB() ? key.endB() : key.endA();
    }

    /** "addr:port" of the end that was connected to. */
    public String responder(CtKey key) {
        Objects.requireNonNull(key, "key");
        return initiatorIsB() ? key.endA() : key.endB();
    }

    /** True once the clock ({@code now}, CLOCK_MONOTONIC seconds) is past {@link #expires()}, as the datapath sees it. */
    public boolean expired(long now) {
        return expires < now;
    }

    /** Seconds left before expiry at {@code now}; negative once expired. */
    public long remaining(long now) {
        return expires - now;
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** The names of the set {@code CT_F_*} bits (lower case, without the prefix), unknown bits as hex. */
    public List<String> flagNames() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < FLAG_NAMES.length; i++) if ((flags & (1 << i)) != 0) out.add(FLAG_NAMES[i]);
        if ((flags & ~KNOWN_FLAGS) != 0) out.add("0x" + Integer.toHexString(flags & ~KNOWN_FLAGS));
        return out;
    }

    /** "SYN,ACK" for a TCP flags byte, "-" for none. */
    public static String tcpFlagNames(int tcpFlags) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < TCP_FLAG_NAMES.length; i++) {
            if ((tcpFlags & (1 << i)) != 0) sb.append(sb.isEmpty() ? "" : ",").append(TCP_FLAG_NAMES[i]);
        }
        return sb.isEmpty() ? "-" : sb.toString();
    }

    public static CtEntry read(MemorySegment s) {
        return new CtEntry(Fields.u64(s, PKT_FWD), Fields.u64(s, BYTES_FWD), Fields.u64(s, PKT_REV),
                Fields.u64(s, BYTES_REV), Fields.u32(s, EXPIRES), Fields.u32(s, CREATED), Fields.u32(s, IDENTITY),
                Fields.u32(s, BACKEND), Fields.u16(s, REVNAT), Fields.u16(s, FLAGS), Fields.u8(s, TCP_FWD),
                Fields.u8(s, TCP_REV));
    }

    public void write(MemorySegment s) {
        Fields.u64(s, PKT_FWD, packetsFwd);
        Fields.u64(s, BYTES_FWD, bytesFwd);
        Fields.u64(s, PKT_REV, packetsRev);
        Fields.u64(s, BYTES_REV, bytesRev);
        Fields.u32(s, EXPIRES, expires);
        Fields.u32(s, CREATED, created);
        Fields.u32(s, IDENTITY, srcIdentity);
        Fields.u32(s, BACKEND, backendId);
        Fields.u16(s, REVNAT, revNatIndex);
        Fields.u16(s, FLAGS, flags);
        Fields.u8(s, TCP_FWD, tcpFlagsFwd);
        Fields.u8(s, TCP_REV, tcpFlagsRev);
        Fields.u16(s, PAD, 0);
    }

    private static long off(String name) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    @Override
    public String toString() {
        return "fwd=" + Long.toUnsignedString(packetsFwd) + "p/" + Long.toUnsignedString(bytesFwd) + "B"
                + " rev=" + Long.toUnsignedString(packetsRev) + "p/" + Long.toUnsignedString(bytesRev) + "B"
                + " created=" + created + " expires=" + expires
                + " flags=" + (flagNames().isEmpty() ? "-" : String.join(",", flagNames()))
                + (tcpFlagsFwd != 0 || tcpFlagsRev != 0
                    ? " tcp=" + tcpFlagNames(tcpFlagsFwd) + "/" + tcpFlagNames(tcpFlagsRev) : "")
                + (backendId != 0 ? " backend=" + backendId : "")
                + (revNatIndex != 0 ? " revnat=" + revNatIndex : "")
                + (srcIdentity != 0 ? " identity=" + srcIdentity : "");
    }
}
