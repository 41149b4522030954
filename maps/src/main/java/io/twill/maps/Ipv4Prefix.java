package io.twill.maps;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * An IPv4 network such as {@code 10.244.1.0/24}: no host bits may be set. Same shape as
 * {@code io.twill.netlink.Ipv4Prefix}.
 *
 * @param address the network address
 * @param length  the prefix length, 0..32
 */
public record Ipv4Prefix(Inet4Address address, int length) {
    public Ipv4Prefix {
        Objects.requireNonNull(address, "prefix.address");
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix: length " + length + " outside 0..32 (" + address.getHostAddress()
                    + "/" + length + ")");
        }
        int a = Ipv4.toInt(address);
        if ((a & ~Ipv4.mask(length)) != 0) {
            throw new IllegalArgumentException("prefix: " + address.getHostAddress() + "/" + length
                    + " has host bits set (did you mean " + Ipv4.fromInt(a & Ipv4.mask(length)).getHostAddress()
                    + "/" + length + "?)");
        }
    }

    /** Parses {@code a.b.c.d/len}; a bare address means /32. */
    public static Ipv4Prefix parse(String s) {
        Objects.requireNonNull(s, "prefix");
        int slash = s.indexOf('/');
        if (slash < 0) return new Ipv4Prefix(Ipv4.parse(s), 32);
        int len;
        try {
            len = Integer.parseInt(s.substring(slash + 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix: '" + s + "' has no numeric length after '/'");
        }
        return new Ipv4Prefix(Ipv4.parse(s.substring(0, slash)), len);
    }

    /** The network containing {@code a} with the given length (host bits cleared). */
    public static Ipv4Prefix containing(Inet4Address a, int length) {
        if (length < 0 || length > 32) throw new IllegalArgumentException("prefix: length " + length + " outside 0..32");
        return new Ipv4Prefix(Ipv4.fromInt(Ipv4.toInt(a) & Ipv4.mask(length)), length);
    }

    public boolean contains(Inet4Address a) {
        return (Ipv4.toInt(a) & Ipv4.mask(length)) == Ipv4.toInt(address);
    }

    /** The network mask as an address, e.g. 255.255.0.0 for a /16. */
    public Inet4Address netmask() {
        return Ipv4.fromInt(Ipv4.mask(length));
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
