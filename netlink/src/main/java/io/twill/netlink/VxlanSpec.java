package io.twill.netlink;

import io.twill.types.MacAddress;
import java.net.Inet4Address;

/**
 * A VXLAN device to create. Twill's is {@code VxlanSpec.external("twill_vxlan", 8472)}: external (collect_md,
 * the tunnel key is set per packet by BPF), no learning.
 *
 * @param name          device name
 * @param vni           VXLAN id 0..16777215; must be 0 when {@code external}
 * @param dstPort       UDP destination port
 * @param external      IFLA_VXLAN_COLLECT_METADATA
 * @param learning      IFLA_VXLAN_LEARNING (source-address learning into the FDB)
 * @param mtu           0 = kernel default
 * @param underlayIndex IFLA_VXLAN_LINK, 0 = none
 * @param local         IFLA_VXLAN_LOCAL source address, null = chosen by routing
 * @param mac           device MAC, null = random
 * @param up            bring it up in the same request
 */
public record VxlanSpec(String name, int vni, int dstPort, boolean external, boolean learning, int mtu,
                        int underlayIndex, Inet4Address local, MacAddress mac, boolean up) {
    public static final int MAX_VNI = (1 << 24) - 1;

    public VxlanSpec {
        Check.ifName("vxlan.name", name);
        if (vni < 0 || vni > MAX_VNI) throw new IllegalArgumentException("vxlan.vni: " + vni + " is not in 0.." + MAX_VNI);
        if (external && vni != 0) throw new IllegalArgumentException("vxlan.vni: an external device has no VNI (got " + vni + ")");
        Check.port("vxlan.dstPort", dstPort);
        Check.mtu("vxlan.mtu", mtu, true);
        if (underlayIndex < 0) throw new IllegalArgumentException("vxlan.underlayIndex: " + underlayIndex + " is negative");
        if (mac != null && mac.isMulticast()) throw new IllegalArgumentException("vxlan.mac: " + mac + " is multicast");
    }

    /** An external (collect_md) device without learning, down, kernel-default MTU. */
    public static VxlanSpec external(String name, int dstPort) {
        return new VxlanSpec(name, 0, dstPort, true, false, 0, 0, null, null, false);
    }

    public VxlanSpec withMtu(int m) { return new VxlanSpec(name, vni, dstPort, external, learning, m, underlayIndex, local, mac, up); }

    public VxlanSpec withUnderlay(int ifindex) {
        return new VxlanSpec(name, vni, dstPort, external, learning, mtu, ifindex, local, mac, up);
    }

    public VxlanSpec withLocal(Inet4Address a) { return new VxlanSpec(name, vni, dstPort, external, learning, mtu, underlayIndex, a, mac, up); }

    public VxlanSpec withMac(MacAddress m) { return new VxlanSpec(name, vni, dstPort, external, learning, mtu, underlayIndex, local, m, up); }

    public VxlanSpec withUp(boolean u) { return new VxlanSpec(name, vni, dstPort, external, learning, mtu, underlayIndex, local, mac, u); }

    public VxlanSpec withLearning(boolean l) { return new VxlanSpec(name, vni, dstPort, external, l, mtu, underlayIndex, local, mac, up); }
}
