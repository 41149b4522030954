package io.twill.cni.result;

import java.util.Objects;

/**
 * One entry of a result's {@code interfaces}: a host-side device ({@code sandbox} null) or one inside the
 * container ({@code sandbox} = the netns path). Optional fields are null when absent; {@code mtu}, {@code socketPath}
 * and {@code pciID} exist since spec 1.1.0 and are left out of older results.
 */
public record CniInterface(String name, String mac, Integer mtu, String sandbox, String socketPath, String pciId) {
    public CniInterface {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) throw new IllegalArgumentException("interface name is empty");
        if (mac != null && mac.isEmpty()) mac = null;
        if (mac != null) mac = Macs.normalizeHardwareAddress(mac);
        if (mtu != null && (mtu < 0 || mtu > 65535)) throw new IllegalArgumentException("mtu " + mtu + " out of range");
        if (sandbox != null && sandbox.isEmpty()) sandbox = null;
        if (socketPath != null && socketPath.isEmpty()) socketPath = null;
        if (pciId != null && pciId.isEmpty()) pciId = null;
    }

    /** A host-side interface (e.g. the lxc veth end). */
    public static CniInterface host(String name, String mac) {
        return new CniInterface(name, mac, null, null, null, null);
    }

    /** An interface inside the container's network namespace {@code netns}. */
    public static CniInterface sandbox(String name, String mac, String netns) {
        return new CniInterface(name, mac, null, Objects.requireNonNull(netns, "netns"), null, null);
    }

    public CniInterface withMtu(int mtu) {
        return new CniInterface(name, mac, mtu, sandbox, socketPath, pciId);
    }

    public boolean inSandbox() { return sandbox != null; }
}
