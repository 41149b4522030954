package io.twill.cni.result;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One entry of a result's {@code ips}: an address with prefix, its optional gateway and the index of the interface
 * (in the same result's {@code interfaces}) it belongs to; {@code interfaceIndex} is null when not tied to one.
 */
public record IpConfig(IpPrefix address, InetAddress gateway, Integer interfaceIndex) {
    public IpConfig {
        Objects.requireNonNull(address, "address");
        if (gateway != null && gateway.getClass() != address.address().getClass()) {
            throw new IllegalArgumentException("gateway " + Ips.format(gateway) + " is not of the same family as " + address);
        }
        if (interfaceIndex != null && interfaceIndex < 0) {
            throw new IllegalArgumentException("interface index " + interfaceIndex + " is negative");
        }
    }

    public static IpConfig of(IpPrefix address, InetAddress gateway, int interfaceIndex) {
        return new IpConfig(address, gateway, interfaceIndex);
    }

    /** The same entry with its interface index moved by {@code offset} (for merging into a prevResult). */
    IpConfig shifted(int offset) {
        return interfaceIndex == null ? this : new IpConfig(address, gateway, interfaceIndex + offset);
    }
}
