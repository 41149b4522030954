package io.twill.netlink.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.twill.netlink.internal.Structs.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Builds one netlink request in a reusable native buffer: header, fixed struct, attributes (nested ones through
 * {@link #nest}/{@link #end}). Padding bytes are written as zeros, so the buffer needs no clearing between
 * requests. Not thread-safe: owned by one {@link NetlinkSocket} and used under its lock.
 */
public final class MsgWriter {
    private static final ValueLayout.OfShort BE16 = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private final MemorySegment buf;
    private long pos;

    MsgWriter(MemorySegment buf) {
        this.buf = buf;
    }

    void begin(int type, int flags, int seq) {
        pos = 0;
        reserve(NLMSG_HDRLEN);
        buf.set(JAVA_INT, NLMSG_LEN, 0);
        buf.set(JAVA_SHORT, NLMSG_TYPE, (short) type);
        buf.set(JAVA_SHORT, NLMSG_FLAGS, (short) flags);
        buf.set(JAVA_INT, NLMSG_SEQ, seq);
        buf.set(JAVA_INT, NLMSG_PID, 0);
        pos = NLMSG_HDRLEN;
    }

    /** Patches nlmsg_len and returns the request's length. */
    long finish() {
        buf.set(JAVA_INT, NLMSG_LEN, (int) pos);
        return pos;
    }

    MemorySegment buffer() { return buf; }

    private long reserve(long n) {
        long at = pos;
        long end = Rtnl.align(pos + n);
        if (end > buf.byteSize()) {
            throw new IllegalStateException("netlink request larger than " + buf.byteSize() + " bytes");
        }
        buf.asSlice(at, end - at).fill((byte) 0);
        pos = end;
        return at;
    }

    public MsgWriter ifinfomsg(int family, int index, int flags, int change) {
        long at = reserve(ifinfomsg.byteSize());
        buf.set(JAVA_BYTE, at + IFI_FAMILY, (byte) family);
        buf.set(JAVA_INT, at + IFI_INDEX, index);
        buf.set(JAVA_INT, at + IFI_FLAGS, flags);
        buf.set(JAVA_INT, at + IFI_CHANGE, change);
        return this;
    }

    public MsgWriter ifaddrmsg(int family, int prefixLen, int flags, int scope, int index) {
        long at = reserve(ifaddrmsg.byteSize());
        buf.set(JAVA_BYTE, at + IFA_FAMILY, (byte) family);
        buf.set(JAVA_BYTE, at + IFA_PREFIXLEN, (byte) prefixLen);
        buf.set(JAVA_BYTE, at + IFA_FLAGS_OFF, (byte) flags);
        buf.set(JAVA_BYTE, at + IFA_SCOPE, (byte) scope);
        buf.set(JAVA_INT, at + IFA_INDEX, index);
        return this;
    }

    public MsgWriter rtmsg(int family, int dstLen, int table, int protocol, int scope, int type, int flags) {
        long at = reserve(rtmsg.byteSize());
        buf.set(JAVA_BYTE, at + RTM_FAMILY, (byte) family);
        buf.set(JAVA_BYTE, at + RTM_DST_LEN, (byte) dstLen);
        buf.set(JAVA_BYTE, at + RTM_TABLE, (byte) table);
        buf.set(JAVA_BYTE, at + RTM_PROTOCOL, (byte) protocol);
        buf.set(JAVA_BYTE, at + RTM_SCOPE, (byte) scope);
        buf.set(JAVA_BYTE, at + RTM_TYPE, (byte) type);
        buf.set(JAVA_INT, at + RTM_FLAGS, flags);
        return this;
    }

    public MsgWriter ndmsg(int family, int ifindex, int state, int flags, int type) {
        long at = reserve(ndmsg.byteSize());
        buf.set(JAVA_BYTE, at + NDM_FAMILY, (byte) family);
        buf.set(JAVA_INT, at + NDM_IFINDEX, ifindex);
        buf.set(JAVA_SHORT, at + NDM_STATE, (short) state);
        buf.set(JAVA_BYTE, at + NDM_FLAGS, (byte) flags);
        buf.set(JAVA_BYTE, at + NDM_TYPE, (byte) type);
        return this;
    }

    private long attrHeader(int type, long payload) {
        long at = reserve(NLA_HDRLEN + payload);
        buf.set(JAVA_SHORT, at + NLA_LEN, (short) (NLA_HDRLEN + payload));
        buf.set(JAVA_SHORT, at + NLA_TYPE, (short) type);
        return at + NLA_HDRLEN;
    }

    public MsgWriter u8(int type, int v) {
        buf.set(JAVA_BYTE, attrHeader(type, 1), (byte) v);
        return this;
    }

    public MsgWriter u16be(int type, int v) {
        buf.set(BE16, attrHeader(type, 2), (short) v);
        return this;
    }

    public MsgWriter u32(int type, int v) {
        buf.set(JAVA_INT, attrHeader(type, 4), v);
        return this;
    }

    public MsgWriter bytes(int type, byte[] v) {
        MemorySegment.copy(v, 0, buf, JAVA_BYTE, attrHeader(type, v.length), v.length);
        return this;
    }

    public MsgWriter inet4(int type, Inet4Address a) {
        return bytes(type, a.getAddress());
    }

    /** A NUL-terminated string attribute. */
    public MsgWriter string(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        long at = attrHeader(type, b.length + 1L);
        MemorySegment.copy(b, 0, buf, JAVA_BYTE, at, b.length);
        buf.set(JAVA_BYTE, at + b.length, (byte) 0);
        return this;
    }

    /** Opens a nested attribute; returns its start for {@link #end(long)}. */
    public long nest(int type) {
        long at = reserve(NLA_HDRLEN);
        buf.set(JAVA_SHORT, at + NLA_TYPE, (short) type);
        return at;
    }

    /** Closes the nested attribute opened at {@code start}. */
    public MsgWriter end(long start) {
        buf.set(JAVA_SHORT, start + NLA_LEN, (short) (pos - start));
        return this;
    }
}
