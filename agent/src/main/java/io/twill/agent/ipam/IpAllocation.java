package io.twill.agent.ipam;


import io.twill.types.Ipv4;
import java.net.Inet4Address;
import java.time.Instant;
import java.util.Objects;

/** One allocated pod address and its owner. */
public record IpAllocation(Inet4Address ip, IpamOwner owner, Instant allocatedAt) {
    public IpAllocation {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(allocatedAt, "allocatedAt");
    }

    public int address() {
        return Ipv4.toInt(ip);
    }

    @Override
    public String toString() {
        return ip.getHostAddress() + " -> " + owner;
    }
}
