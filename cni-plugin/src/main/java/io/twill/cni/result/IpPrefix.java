package io.twill.cni.result;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An address with its prefix length in CIDR notation, as CNI writes them: {@code 10.0.1.5/24} keeps the host bits
 * (an interface address), {@code 0.0.0.0/0} is a route destination. IPv6 prints in RFC 5952 form.
 */
public record IpPrefix(InetAddress address, int prefixLength) {
    public IpPrefix {
        Objects.requireNonNull(address, "address");
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max + " for " + address);
        }
    }

    /** Parses {@code "10.0.1.5/24"} or {@code "fd00::5/64"}; IllegalArgumentException names what is wrong. */
    public static IpPrefix parse(String cidr) {
        Objects.requireNonNull(cidr, "cidr");
        int slash = cidr.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("\"" + cidr + "\" is not in CIDR notation (address/prefix)");
        InetAddress addr = Ips.parseAddress(cidr.substring(0, slash));
        String len = cidr.substring(slash + 1);
        if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("\"" + cidr + "\" has no valid prefix length");
        }
        return new IpPrefix(addr, Integer.parseInt(len));
    }

    public static IpPrefix of(String address, int prefixLength) {
        return new IpPrefix(Ips.parseAddress(address), prefixLength);
    }

    public boolean isIpv4() { return address instanceof Inet4Address; }

    public boolean isIpv6() { return address instanceof Inet6Address; }

    @Override
    public String toString() {
        return Ips.format(address) + "/" + prefixLength;
    }
}
