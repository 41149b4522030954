package io.twill.netlink;

import io.twill.types.MacAddress;

/**
 * A network interface as the kernel reports it (RTM_NEWLINK).
 *
 * @param index       ifindex in its namespace
 * @param name        IFLA_IFNAME
 * @param mac         IFLA_ADDRESS when it is a 6-byte Ethernet address, else null (loopback has 00:00:00:00:00:00)
 * @param mtu         IFLA_MTU
 * @param flags       ifi_flags (IFF_UP, IFF_LOWER_UP, …)
 * @param kind        IFLA_INFO_KIND ("veth", "vxlan", "bridge", …), null for devices without one (loopback, NICs)
 * @param master      IFLA_MASTER ifindex, 0 when none
 * @param peerIndex   IFLA_LINK: for a veth the peer's ifindex (in the peer's namespace), 0 when none
 * @param linkNetnsId IFLA_LINK_NETNSID: id, in this namespace, of the namespace {@code peerIndex} lives in;
 *                    -1 when the peer is in the same namespace or there is none
 * @param operState   IFLA_OPERSTATE (RFC 2863: 2 = down, 6 = up, 0 = unknown)
 * @param vxlan       VXLAN settings when {@code kind} is "vxlan", else null
 */
public record Link(int index, String name, MacAddress mac, int mtu, int flags, String kind, int master,
                   int peerIndex, int linkNetnsId, int operState, VxlanInfo vxlan) {
    public static final int IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40,
            IFF_NOARP = 0x80, IFF_MULTICAST = 0x1000, IFF_LOWER_UP = 0x10000;

    /** Administratively up (IFF_UP). */
    public boolean up() { return (flags & IFF_UP) != 0; }

    /** Carrier present (IFF_LOWER_UP): for a veth, both ends are up. */
    public boolean lowerUp() { return (flags & IFF_LOWER_UP) != 0; }

    public boolean isVeth() { return "veth".equals(kind); }

    public boolean isVxlan() { return "vxlan".equals(kind); }

    /** Whether the peer (veth) lives in another namespace. */
    public boolean peerInOtherNamespace() { return linkNetnsId >= 0; }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(index).append(": ").append(name);
        if (peerIndex > 0) sb.append("@if").append(peerIndex);
        sb.append(" mtu ").append(mtu).append(up() ? " UP" : " DOWN");
        if (lowerUp()) sb.append(",LOWER_UP");
        if (kind != null) sb.append(' ').append(kind);
        if (mac != null) sb.append(" link/ether ").append(mac);
        if (master > 0) sb.append(" master ").append(master);
        if (linkNetnsId >= 0) sb.append(" link-netnsid ").append(linkNetnsId);
        if (vxlan != null) sb.append(' ').append(vxlan);
        return sb.toString();
    }
}
