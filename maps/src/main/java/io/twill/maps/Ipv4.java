package io.twill.maps;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * IPv4 addresses as the datapath stores them: {@code __be32}, network byte order, the same bytes as in a packet.
 * Parsing never touches DNS.
 */
public final class Ipv4 {
    /** A {@code __be32} member of a struct layout. */
    public static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    /** A {@code __be16} member of a struct layout. */
    public static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    public static final Inet4Address ANY = fromInt(0);

    private Ipv4() {}

    /** Parses a dotted quad; anything else (names included) is refused. */
    public static Inet4Address parse(String s) {
        Objects.requireNonNull(s, "address");
        String[] parts = s.strip().split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("'" + s + "' is not an IPv4 address (a.b.c.d)");
        int v = 0;
        for (String p : parts) {
            int octet;
            try {
                octet = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address (a.b.c.d)");
            }
            if (p.isEmpty() || p.length() > 3 || octet < 0 || octet > 255) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address: octet '" + p + "' outside 0..255");
            }
            v = (v << 8) | octet;
        }
        return fromInt(v);
    }

    /** The address as a big-endian int (first octet in the top byte). */
    public static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    public static Inet4Address fromInt(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16),
                    (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Reads a {@code __be32} address. */
    public static Inet4Address read(MemorySegment s, long offset) {
        return fromInt(Fields.be32(s, offset));
    }

    /** Writes a {@code __be32} address. */
    public static void write(MemorySegment s, long offset, Inet4Address a) {
        Fields.be32(s, offset, toInt(a));
    }

    /** A network mask of {@code len} leading ones. */
    public static int mask(int len) {
        return len == 0 ? 0 : -1 << (32 - len);
    }

    /** True for an address a packet can be sent to: not 0.0.0.0, not multicast, not the limited broadcast. */
    public static boolean isUnicast(Inet4Address a) {
        int v = toInt(a);
        return v != 0 && v != -1 && !a.isMulticastAddress();
    }

    public static String str(Inet4Address a) {
        return a.getHostAddress();
    }
}
