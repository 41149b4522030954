package io.twill.agent.ipam;


import io.twill.types.Ipv4Prefix;
import java.util.List;

/** Every address of the node's pod CIDRs is taken. Transient: DELs or a new pod CIDR can free space. */
public final class IpamExhaustedException extends IpamException {
    private final List<Ipv4Prefix> cidrs;

    public IpamExhaustedException(List<Ipv4Prefix> cidrs, int used) {
        super("no free pod address: all " + used + " usable addresses of " + cidrs + " are allocated");
        this.cidrs = List.copyOf(cidrs);
    }

    public List<Ipv4Prefix> cidrs() {
        return cidrs;
    }
}
