package io.twill.netlink;

import io.twill.types.MacAddress;
import java.net.Inet4Address;
import java.util.Objects;

/**
 * An IPv4 neighbour (ARP) entry.
 *
 * @param ifindex the interface
 * @param address NDA_DST
 * @param mac     NDA_LLADDR; null for entries without one (INCOMPLETE, FAILED)
 * @param state   ndm_state: one of the NUD_* values
 */
public record Neighbour(int ifindex, Inet4Address address, MacAddress mac, int state) {
    public static final int NUD_INCOMPLETE = 0x01, NUD_REACHABLE = 0x02, NUD_STALE = 0x04, NUD_DELAY = 0x08,
            NUD_PROBE = 0x10, NUD_FAILED = 0x20, NUD_NOARP = 0x40, NUD_PERMANENT = 0x80;

    public Neighbour {
        Check.ifindex("neighbour.ifindex", ifindex);
        Objects.requireNonNull(address, "neighbour.address");
    }

    /** A permanent entry: the kernel never probes or expires it. */
    public static Neighbour permanent(int ifindex, Inet4Address address, MacAddress mac) {
        Objects.requireNonNull(mac, "neighbour.mac");
        return new Neighbour(ifindex, address, mac, NUD_PERMANENT);
    }

    public boolean isPermanent() { return (state & NUD_PERMANENT) != 0; }

    /** As {@code ip neigh} prints it: PERMANENT, REACHABLE, STALE, … */
    public String stateName() {
        return switch (state) {
            case NUD_INCOMPLETE -> "INCOMPLETE"; case NUD_REACHABLE -> "REACHABLE"; case NUD_STALE -> "STALE";
            case NUD_DELAY -> "DELAY"; case NUD_PROBE -> "PROBE"; case NUD_FAILED -> "FAILED"; case NUD_NOARP -> "NOARP";
            case NUD_PERMANENT -> "PERMANENT"; default -> "0x" + Integer.toHexString(state);
        };
    }

    @Override
    public String toString() {
        return address.getHostAddress() + " dev " + ifindex + (mac != null ? " lladdr " + mac : "") + " " + stateName();
    }
}
