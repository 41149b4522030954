package io.twill.netlink;

import io.twill.types.MacAddress;
import java.nio.file.Path;

/**
 * A veth pair to create in one RTM_NEWLINK: the host end in the socket's namespace, the peer created directly in
 * {@code peerNetns} (so it may already be called {@code eth0} there: no temporary name, no move, no rename).
 *
 * @param name      host-side name, e.g. {@code lxc1a2b3c4d5e6f}
 * @param peerName  peer name inside {@code peerNetns}, e.g. {@code eth0}
 * @param peerNetns namespace file for the peer ({@code /run/netns/x}, {@code /proc/<pid>/ns/net}); null = same
 *                  namespace as the host end
 * @param mtu       MTU of both ends; 0 = kernel default (1500)
 * @param mac       host-side MAC; null = random (kernel)
 * @param peerMac   peer MAC; null = random (kernel). Choose it here ({@link MacAddress#randomLocal()}) to know it
 *                  without asking the peer's namespace
 * @param up        bring the host end up, in the create request itself
 * @param peerUp    bring the peer up right after creating it. The kernel cannot do it in the create request, and a
 *                  socket can only change links in its own namespace, so for a peer in another namespace this opens
 *                  a short-lived socket there (~0.1–0.3 ms, a thread). If you hold a socket in that namespace anyway
 *                  (CNI ADD does), leave this false and call {@link RtNetlink#setUp(int)} on it
 */
public record VethSpec(String name, String peerName, Path peerNetns, int mtu, MacAddress mac, MacAddress peerMac,
                       boolean up, boolean peerUp) {
    public VethSpec {
        Check.ifName("veth.name", name);
        Check.ifName("veth.peerName", peerName);
        Check.mtu("veth.mtu", mtu, true);
        if (peerNetns == null && name.equals(peerName)) {
            throw new IllegalArgumentException("veth.peerName: '" + peerName + "' equals veth.name in the same namespace");
        }
        if (mac != null && mac.isMulticast()) throw new IllegalArgumentException("veth.mac: " + mac + " is multicast");
        if (peerMac != null && peerMac.isMulticast()) {
            throw new IllegalArgumentException("veth.peerMac: " + peerMac + " is multicast");
        }
    }

    /** A pair with kernel defaults, down, peer in {@code peerNetns} (null = same namespace). */
    public static VethSpec of(String name, String peerName, Path peerNetns) {
        return new VethSpec(name, peerName, peerNetns, 0, null, null, false, false);
    }

    public VethSpec withMtu(int m) { return new VethSpec(name, peerName, peerNetns, m, mac, peerMac, up, peerUp); }

    public VethSpec withMac(MacAddress m) { return new VethSpec(name, peerName, peerNetns, mtu, m, peerMac, up, peerUp); }

    public VethSpec withPeerMac(MacAddress m) { return new VethSpec(name, peerName, peerNetns, mtu, mac, m, up, peerUp); }

    /** Both ends up (or down). */
    public VethSpec withUp(boolean both) { return new VethSpec(name, peerName, peerNetns, mtu, mac, peerMac, both, both); }

    public VethSpec withUp(boolean host, boolean peer) {
        return new VethSpec(name, peerName, peerNetns, mtu, mac, peerMac, host, peer);
    }

    String describe() {
        return name + " peer " + peerName + (peerNetns != null ? " in " + peerNetns : "");
    }

    @Override
    public String toString() {
        return "veth " + describe() + (mtu > 0 ? " mtu " + mtu : "") + (mac != null ? " mac " + mac : "")
                + (peerMac != null ? " peer mac " + peerMac : "") + (up ? " up" : "") + (peerUp ? " peer up" : "");
    }

}
