package io.twill.netlink.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.twill.netlink.internal.Structs.NLA_HDRLEN;
import static io.twill.netlink.internal.Structs.NLA_LEN;
import static io.twill.netlink.internal.Structs.NLA_TYPE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The attributes of one message (or nest), indexed by type up to a maximum; later duplicates win, unknown types
 * above the maximum are ignored. Reads in place from the receive buffer, so use it before the next request.
 */
public final class Attrs {
    private static final ValueLayout.OfShort BE16 = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private final MemorySegment seg;
    private final long[] off;
    private final int[] len;

    private Attrs(MemorySegment seg, int maxType) {
        this.seg = seg;
        this.off = new long[maxType + 1];
        this.len = new int[maxType + 1];
        Arrays.fill(off, -1);
    }

    /** Parses the attributes in {@code [start, end)} of {@code seg}. */
    public static Attrs parse(MemorySegment seg, long start, long end, int maxType) {
        Attrs a = new Attrs(seg, maxType);
        long p = start;
        while (p + NLA_HDRLEN <= end) {
            int l = Short.toUnsignedInt(seg.get(JAVA_SHORT, p + NLA_LEN));
            int t = seg.get(JAVA_SHORT, p + NLA_TYPE) & Rtnl.NLA_TYPE_MASK & 0xffff;
            if (l < NLA_HDRLEN || p + l > end) break;
            if (t <= maxType) {
                a.off[t] = p + NLA_HDRLEN;
                a.len[t] = (int) (l - NLA_HDRLEN);
            }
            p += Rtnl.align(l);
        }
        return a;
    }

    public boolean has(int type) {
        return type < off.length && off[type] >= 0;
    }

    public int length(int type) {
        return has(type) ? len[type] : -1;
    }

    public int u8(int type, int dflt) {
        return has(type) && len[type] >= 1 ? Byte.toUnsignedInt(seg.get(JAVA_BYTE, off[type])) : dflt;
    }

    public int u16be(int type, int dflt) {
        return has(type) && len[type] >= 2 ? Short.toUnsignedInt(seg.get(BE16, off[type])) : dflt;
    }

    public int u32(int type, int dflt) {
        return has(type) && len[type] >= 4 ? seg.get(JAVA_INT, off[type]) : dflt;
    }

    public byte[] bytes(int type) {
        if (!has(type)) return null;
        byte[] b = new byte[len[type]];
        MemorySegment.copy(seg, JAVA_BYTE, off[type], b, 0, b.length);
        return b;
    }

    /** A NUL-terminated (or not) string attribute; null when absent. */
    public String string(int type) {
        if (!has(type)) return null;
        int n = 0;
        while (n < len[type] && seg.get(JAVA_BYTE, off[type] + n) != 0) n++;
        byte[] b = new byte[n];
        MemorySegment.copy(seg, JAVA_BYTE, off[type], b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A 4-byte IPv4 address attribute; null when absent or of another length. */
    public Inet4Address inet4(int type) {
        if (!has(type) || len[type] != 4) return null;
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes(type));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The attributes nested in {@code type}; empty when absent. */
    public Attrs nested(int type, int maxType) {
        if (!has(type)) return new Attrs(seg, maxType);
        return parse(seg, off[type], off[type] + len[type], maxType);
    }

    /** Offset of the payload of {@code type} in the segment, or -1. */
    public long offset(int type) {
        return has(type) ? off[type] : -1;
    }
}
