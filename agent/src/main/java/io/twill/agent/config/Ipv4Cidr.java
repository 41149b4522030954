package io.twill.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 prefix such as {@code 10.0.3.0/24}. The address is the network address: host bits must be zero
 * ({@code 10.0.3.7/24} is refused, naming the network it probably meant). Parsed strictly, without DNS.
 */
public record Ipv4Cidr(int network, int prefixLength) implements Comparable<Ipv4Cidr> {

    public Ipv4Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32, got " + prefixLength);
        }
        if ((network & ~mask(prefixLength)) != 0) {
            throw new IllegalArgumentException(format(network) + "/" + prefixLength + " has host bits set (did you mean "
                    + format(network & mask(prefixLength)) + "/" + prefixLength + "?)");
        }
    }

    /** Parses {@code a.b.c.d/n}; the message of the exception names what is wrong. */
    @JsonCreator
    public static Ipv4Cidr parse(String text) {
        if (text == null) throw new IllegalArgumentException("CIDR is missing");
        String s = text.strip();
        int slash = s.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("'" + text + "' is not a CIDR (expected a.b.c.d/n)");
        int addr = parseAddress(s.substring(0, slash));
        int len;
        try {
            len = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
        }
        if (len < 0 || len > 32) throw new IllegalArgumentException("'" + text + "': prefix length must be 0..32");
        return new Ipv4Cidr(addr, len);
    }

    /** Parses a dotted quad strictly (four decimal octets 0..255), without any name lookup. */
    public static int parseAddress(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
            }
            int o = Integer.parseInt(p);
            if (o > 255) throw new IllegalArgumentException("'" + s + "' is not an IPv4 address (octet " + o + ")");
            v = (v << 8) | o;
        }
        return v;
    }

    public static Inet4Address parseInet(String s) {
        return toInet(parseAddress(s));
    }

    public static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int mask() {
        return mask(prefixLength);
    }

    /** Number of addresses in the prefix (2^(32-len)). */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    public int broadcast() {
        return network | ~mask();
    }

    public boolean contains(int address) {
        return (address & mask()) == network;
    }

    public boolean contains(Inet4Address address) {
        return contains(toInt(address));
    }

    public boolean contains(Ipv4Cidr other) {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    public boolean overlaps(Ipv4Cidr other) {
        return contains(other) || other.contains(this);
    }

    /** The address at {@code offset} from the network address. */
    public int addressAt(long offset) {
        if (offset < 0 || offset >= size()) throw new IllegalArgumentException("offset " + offset + " outside " + this);
        return network + (int) offset;
    }

    public Inet4Address networkAddress() {
        return toInet(network);
    }

    public static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    public static Inet4Address toInet(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid address
        }
    }

    public static String format(int v) {
        return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    @Override
    public int compareTo(Ipv4Cidr o) {
        int c = Integer.compareUnsigned(network, o.network);
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }

    @JsonValue
    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }
}
