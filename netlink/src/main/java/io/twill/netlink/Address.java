package io.twill.netlink;

import io.twill.types.Ipv4Prefix;
import java.net.Inet4Address;
import java.util.Objects;

/**
 * An IPv4 address on an interface, such as {@code 10.244.1.7/32 scope global}.
 *
 * @param ifindex      the interface
 * @param address      IFA_LOCAL
 * @param prefixLength 0..32
 * @param scope        usually {@link Scope#UNIVERSE}; {@link Scope#HOST} for 127.0.0.1
 */
public record Address(int ifindex, Inet4Address address, int prefixLength, Scope scope) {
    public Address {
        Check.ifindex("address.ifindex", ifindex);
        Objects.requireNonNull(address, "address.address");
        Check.prefixLength("address.prefixLength", prefixLength);
        Objects.requireNonNull(scope, "address.scope");
    }

    /** A global-scope address from {@code "10.244.1.7/24"} (a bare address means /32). */
    public static Address of(int ifindex, String cidr) {
        int slash = cidr.indexOf('/');
        Inet4Address a = Check.inet4(slash < 0 ? cidr.strip() : cidr.substring(0, slash).strip(), "address");
        int len = slash < 0 ? 32 : Check.parseInt(cidr.substring(slash + 1).strip(), "address.prefixLength");
        return new Address(ifindex, a, len, Scope.UNIVERSE);
    }

    public static Address of(int ifindex, Inet4Address a, int prefixLength) {
        return new Address(ifindex, a, prefixLength, Scope.UNIVERSE);
    }

    public Address withScope(Scope s) {
        return new Address(ifindex, address, prefixLength, s);
    }

    /** The network this address is in. */
    public Ipv4Prefix network() {
        return Ipv4Prefix.containing(address, prefixLength);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength + " dev " + ifindex + " scope " + scope.ipName();
    }
}
