package io.twill.maps;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Field access for the record codecs. Unaligned on purpose: the same codecs read kernel buffers, ring-buffer records
 * and heap {@code byte[]} segments (test packets), whose alignment is 1. Unsigned C types widen to int/long.
 */
public final class Fields {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfShort BE16 = U16.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = U32.withOrder(ByteOrder.BIG_ENDIAN);

    private Fields() {}

    public static int u8(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_BYTE, off) & 0xff; }

    public static void u8(MemorySegment s, long off, int v) { s.set(ValueLayout.JAVA_BYTE, off, (byte) v); }

    public static int u16(MemorySegment s, long off) { return s.get(U16, off) & 0xffff; }

    public static void u16(MemorySegment s, long off, int v) { s.set(U16, off, (short) v); }

    public static long u32(MemorySegment s, long off) { return s.get(U32, off) & 0xFFFF_FFFFL; }

    public static void u32(MemorySegment s, long off, long v) { s.set(U32, off, (int) v); }

    public static long u64(MemorySegment s, long off) { return s.get(U64, off); }

    public static void u64(MemorySegment s, long off, long v) { s.set(U64, off, v); }

    public static int be16(MemorySegment s, long off) { return s.get(BE16, off) & 0xffff; }

    public static void be16(MemorySegment s, long off, int v) { s.set(BE16, off, (short) v); }

    public static int be32(MemorySegment s, long off) { return s.get(BE32, off); }

    public static void be32(MemorySegment s, long off, int v) { s.set(BE32, off, v); }
}
