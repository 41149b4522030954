package io.twill.types;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * IPv4 addresses as Twill reads and writes them: dotted quads parsed strictly and without DNS, and the address as a
 * 32-bit int whose top byte is the first octet (the byte order of a packet, so {@code __be32} fields store it as is).
 *
 * <p>Strict means what the operator writes the agent reads back unchanged: four decimal octets of ASCII digits,
 * 0..255, no leading zeros ({@code 010} is octal to some parsers and decimal to others), no signs, no whitespace.
 */
public final class Ipv4 {
    /** 0.0.0.0. */
    public static final Inet4Address ANY = fromInt(0);

    private Ipv4() {}

    /** Parses a dotted quad; anything else (names, leading zeros, whitespace) is refused with the text quoted. */
    public static Inet4Address parse(String text) {
        return fromInt(parseInt(text));
    }

    /** Parses a dotted quad into its int form (first octet in the top byte). */
    public static int parseInt(String text) {
        Objects.requireNonNull(text, "IPv4 address");
        int v = 0, octets = 0, i = 0, n = text.length();
        while (true) {
            int start = i, octet = 0;
            while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                octet = octet * 10 + (text.charAt(i) - '0');
                i++;
                if (i - start > 3) throw bad(text, "an octet has more than three digits");
            }
            if (i == start) throw bad(text, i < n ? "'" + text.charAt(i) + "' where a digit belongs" : "an octet is missing");
            if (i - start > 1 && text.charAt(start) == '0') throw bad(text, "octet '" + text.substring(start, i) + "' has a leading zero");
            if (octet > 255) throw bad(text, "octet " + octet + " is outside 0..255");
            v = (v << 8) | octet;
            octets++;
            if (octets == 4) {
                if (i != n) throw bad(text, "'" + text.substring(i) + "' after the fourth octet");
                return v;
            }
            if (i == n || text.charAt(i) != '.') throw bad(text, "it needs four octets separated by '.'");
            i++;
        }
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("'" + text + "' is not an IPv4 address (a.b.c.d): " + why);
    }

    /** The address as an int, first octet in the top byte. */
    public static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** The address of an int, first octet in the top byte. */
    public static Inet4Address fromInt(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16),
                    (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    /** The dotted quad of an int address. */
    public static String format(int v) {
        return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    /** A network mask of {@code length} leading ones (0..32). */
    public static int mask(int length) {
        if (length < 0 || length > 32) throw new IllegalArgumentException("IPv4 prefix length " + length + " is outside 0..32");
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** True for an address a packet can be sent to: not 0.0.0.0, not multicast, not the limited broadcast. */
    public static boolean isUnicast(Inet4Address a) {
        int v = toInt(a);
        return v != 0 && v != -1 && !a.isMulticastAddress();
    }
}
