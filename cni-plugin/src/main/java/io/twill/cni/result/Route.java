package io.twill.cni.result;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One entry of a result's {@code routes}. {@code gw} null means the plugin's default gateway. The other optional
 * attributes (null when absent) exist since spec 1.1.0 and are left out of older results.
 */
public record Route(IpPrefix dst, InetAddress gw, Integer mtu, Integer advmss, Integer priority, Integer table,
                    Integer scope) {
    public Route {
        Objects.requireNonNull(dst, "dst");
        if (gw != null && gw.getClass() != dst.address().getClass()) {
            throw new IllegalArgumentException("route gw " + Ips.format(gw) + " is not of the same family as dst " + dst);
        }
        for (Integer v : new Integer[] {mtu, advmss, priority, table, scope}) {
            if (v != null && v < 0) throw new IllegalArgumentException("route attribute " + v + " is negative");
        }
    }

    public static Route of(IpPrefix dst, InetAddress gw) {
        return new Route(dst, gw, null, null, null, null, null);
    }
}
