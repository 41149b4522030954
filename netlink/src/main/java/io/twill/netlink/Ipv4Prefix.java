package io.twill.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IPv4 network such as {@code 10.244.1.0/24}: no host bits may be set.
 *
 * @param address the network address
 * @param length  the prefix length, 0..32
 */
public record Ipv4Prefix(Inet4Address address, int length) {
    /** 0.0.0.0/0. */
    public static final Ipv4Prefix DEFAULT = new Ipv4Prefix(Check.inet4("0.0.0.0", "prefix"), 0);

    public Ipv4Prefix {
        Objects.requireNonNull(address, "prefix.address");
        Check.prefixLength("prefix.length", length);
        int a = toInt(address);
        if ((a & ~mask(length)) != 0) {
            throw new IllegalArgumentException("prefix: " + address.getHostAddress() + "/" + length
                    + " has host bits set (did you mean " + fromInt(a & mask(length)).getHostAddress() + "/" + length + "?)");
        }
    }

    /** Parses {@code a.b.c.d/len}; a bare address means /32. */
    public static Ipv4Prefix parse(String s) {
        Objects.requireNonNull(s, "prefix");
        int slash = s.indexOf('/');
        if (slash < 0) return new Ipv4Prefix(Check.inet4(s.strip(), "prefix"), 32);
        return new Ipv4Prefix(Check.inet4(s.substring(0, slash).strip(), "prefix"),
                Check.parseInt(s.substring(slash + 1).strip(), "prefix.length"));
    }

    /** The /32 of one host. */
    public static Ipv4Prefix host(Inet4Address a) {
        return new Ipv4Prefix(a, 32);
    }

    /** The network containing {@code a} with the given length (host bits cleared). */
    public static Ipv4Prefix containing(Inet4Address a, int length) {
        Check.prefixLength("prefix.length", length);
        return new Ipv4Prefix(fromInt(toInt(a) & mask(length)), length);
    }

    public boolean contains(Inet4Address a) {
        return (toInt(a) & mask(length)) == toInt(address);
    }

    static int mask(int len) {
        return len == 0 ? 0 : -1 << (32 - len);
    }

    static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static Inet4Address fromInt(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
