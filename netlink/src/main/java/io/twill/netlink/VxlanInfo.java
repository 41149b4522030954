package io.twill.netlink;

import java.net.Inet4Address;

/**
 * VXLAN settings of an existing device, as the kernel reports them in IFLA_INFO_DATA.
 *
 * @param vni           IFLA_VXLAN_ID (0 for external devices)
 * @param dstPort       IFLA_VXLAN_PORT, host order
 * @param external      IFLA_VXLAN_COLLECT_METADATA (the tunnel key comes from BPF / lwtunnel)
 * @param learning      IFLA_VXLAN_LEARNING
 * @param underlayIndex IFLA_VXLAN_LINK, 0 when none
 * @param local         IFLA_VXLAN_LOCAL, null when none
 */
public record VxlanInfo(int vni, int dstPort, boolean external, boolean learning, int underlayIndex, Inet4Address local) {
    @Override
    public String toString() {
        return "vxlan" + (external ? " external" : " id " + vni) + " dstport " + dstPort + (learning ? "" : " nolearning")
                + (underlayIndex > 0 ? " dev " + underlayIndex : "") + (local != null ? " local " + local.getHostAddress() : "");
    }
}
