package io.twill.maps;

import io.twill.types.Ipv4;
import io.twill.types.MacAddress;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.ByteOrder;

/**
 * Field access for the record codecs. Unaligned on purpose: the same codecs read kernel buffers, ring-buffer records
 * and heap {@code byte[]} segments (test packets), whose alignment is 1. Unsigned C types widen to int/long.
 */
public final class Fields {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfShort BE16_UNALIGNED = U16.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32_UNALIGNED = U32.withOrder(ByteOrder.BIG_ENDIAN);

    /** A {@code __be32} member of a struct layout (an IPv4 address: the same bytes as in a packet). */
    public static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    /** A {@code __be16} member of a struct layout (a port). */
    public static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private Fields() {}

    public static int u8(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_BYTE, off) & 0xff; }

    public static void u8(MemorySegment s, long off, int v) { s.set(ValueLayout.JAVA_BYTE, off, (byte) v); }

    public static int u16(MemorySegment s, long off) { return s.get(U16, off) & 0xffff; }

    public static void u16(MemorySegment s, long off, int v) { s.set(U16, off, (short) v); }

    public static long u32(MemorySegment s, long off) { return s.get(U32, off) & 0xFFFF_FFFFL; }

    public static void u32(MemorySegment s, long off, long v) { s.set(U32, off, (int) v); }

    public static long u64(MemorySegment s, long off) { return s.get(U64, off); }

    public static void u64(MemorySegment s, long off, long v) { s.set(U64, off, v); }

    public static int be16(MemorySegment s, long off) { return s.get(BE16_UNALIGNED, off) & 0xffff; }

    public static void be16(MemorySegment s, long off, int v) { s.set(BE16_UNALIGNED, off, (short) v); }

    public static int be32(MemorySegment s, long off) { return s.get(BE32_UNALIGNED, off); }

    public static void be32(MemorySegment s, long off, int v) { s.set(BE32_UNALIGNED, off, v); }

    /** Reads a {@code __be32} IPv4 address. */
    public static Inet4Address ipv4(MemorySegment s, long off) { return Ipv4.fromInt(be32(s, off)); }

    /** Writes a {@code __be32} IPv4 address. */
    public static void ipv4(MemorySegment s, long off, Inet4Address a) { be32(s, off, Ipv4.toInt(a)); }

    /** Reads 6 bytes of a MAC address in wire order. */
    public static MacAddress mac(MemorySegment s, long off) {
        long v = 0;
        for (int i = 0; i < 6; i++) v = (v << 8) | u8(s, off + i);
        return new MacAddress(v);
    }

    /** Writes the 6 bytes of a MAC address in wire order. */
    public static void mac(MemorySegment s, long off, MacAddress m) {
        for (int i = 0; i < 6; i++) u8(s, off + i, (int) (m.bits() >>> (40 - 8 * i)));
    }
}
