package io.twill.maps;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A 48-bit Ethernet address held in the low bits of a long, printed as {@code 02:1a:2b:3c:4d:5e}. Same shape as
 * {@code io.twill.netlink.MacAddress}, so the agent converts with {@code new MacAddress(other.bits())}.
 *
 * @param bits the address, first octet in bits 40..47
 */
public record MacAddress(long bits) {
    private static final HexFormat HEX = HexFormat.of();

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("mac: 0x" + Long.toHexString(bits) + " has more than 48 bits");
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes), case-insensitive. */
    public static MacAddress parse(String s) {
        Objects.requireNonNull(s, "mac");
        String t = s.strip();
        if (t.length() != 17) throw new IllegalArgumentException("mac: '" + s + "' is not of the form aa:bb:cc:dd:ee:ff");
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int p = i * 3;
            if (i > 0 && t.charAt(p - 1) != ':' && t.charAt(p - 1) != '-') {
                throw new IllegalArgumentException("mac: '" + s + "' is not of the form aa:bb:cc:dd:ee:ff");
            }
            int hi = Character.digit(t.charAt(p), 16), lo = Character.digit(t.charAt(p + 1), 16);
            if (hi < 0 || lo < 0) throw new IllegalArgumentException("mac: '" + s + "' has a non-hex digit");
            v = (v << 8) | (hi << 4) | lo;
        }
        return new MacAddress(v);
    }

    /** From exactly 6 bytes in wire order. */
    public static MacAddress of(byte[] b) {
        if (b == null || b.length != 6) {
            throw new IllegalArgumentException("mac: need 6 bytes, got " + (b == null ? "null" : b.length));
        }
        long v = 0;
        for (byte x : b) v = (v << 8) | (x & 0xff);
        return new MacAddress(v);
    }

    /** Reads 6 bytes in wire order at {@code offset}. */
    public static MacAddress read(MemorySegment s, long offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) v = (v << 8) | (s.get(ValueLayout.JAVA_BYTE, offset + i) & 0xff);
        return new MacAddress(v);
    }

    /** Writes the 6 bytes in wire order at {@code offset}. */
    public void write(MemorySegment s, long offset) {
        for (int i = 0; i < 6; i++) s.set(ValueLayout.JAVA_BYTE, offset + i, (byte) (bits >>> (40 - 8 * i)));
    }

    /** The 6 bytes in wire order. */
    public byte[] bytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) b[i] = (byte) (bits >>> (40 - 8 * i));
        return b;
    }

    public boolean isMulticast() { return (bits & (0x01L << 40)) != 0; }

    public boolean isZero() { return bits == 0; }

    @Override
    public String toString() {
        byte[] b = bytes();
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) sb.append(':');
            sb.append(HEX.toHexDigits(b[i]));
        }
        return sb.toString();
    }
}
