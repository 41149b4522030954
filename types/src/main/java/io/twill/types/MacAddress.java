package io.twill.types;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A 48-bit Ethernet address held in the low bits of a long, printed as {@code 02:1a:2b:3c:4d:5e}. The maps module
 * reads and writes it in a struct's six bytes, the netlink module in an attribute's.
 *
 * @param bits the address, first octet in bits 40..47
 */
public record MacAddress(long bits) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("mac: 0x" + Long.toHexString(bits) + " has more than 48 bits");
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes), case-insensitive, ASCII hex digits only. */
    public static MacAddress parse(String s) {
        Objects.requireNonNull(s, "mac");
        if (s.length() != 17) throw new IllegalArgumentException("mac: '" + s + "' is not of the form aa:bb:cc:dd:ee:ff");
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int p = i * 3;
            if (i > 0 && s.charAt(p - 1) != ':' && s.charAt(p - 1) != '-') {
                throw new IllegalArgumentException("mac: '" + s + "' is not of the form aa:bb:cc:dd:ee:ff");
            }
            int hi = hex(s.charAt(p)), lo = hex(s.charAt(p + 1));
            if (hi < 0 || lo < 0) throw new IllegalArgumentException("mac: '" + s + "' has a non-hex digit");
            v = (v << 8) | (hi << 4) | lo;
        }
        return new MacAddress(v);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
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

    /** A random locally administered unicast address (02:…, like the kernel's eth_random_addr). */
    public static MacAddress randomLocal() {
        long v = RANDOM.nextLong() & 0xFFFF_FFFF_FFFFL;
        v &= ~(0x01L << 40); // unicast
        v |= 0x02L << 40;    // locally administered
        return new MacAddress(v);
    }

    /** The 6 bytes in wire order. */
    public byte[] bytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) b[i] = (byte) (bits >>> (40 - 8 * i));
        return b;
    }

    public boolean isMulticast() { return (bits & (0x01L << 40)) != 0; }

    public boolean isLocallyAdministered() { return (bits & (0x02L << 40)) != 0; }

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
