package io.twill.agent.ipam;

/** How full the node's pod CIDRs are: {@code used + available = capacity} (network, broadcast, gateway excluded). */
public record IpamUsage(int used, int available) {
    public int capacity() {
        return used + available;
    }
}
