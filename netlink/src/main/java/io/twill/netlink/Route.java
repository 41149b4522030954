package io.twill.netlink;

import io.twill.types.Ipv4Prefix;
import java.net.Inet4Address;
import java.util.Objects;

/**
 * An IPv4 unicast route. Build one with {@link #to(Ipv4Prefix)}:
 * <pre>{@code
 * Route.to(Ipv4Prefix.DEFAULT).via(gateway).dev(eth0).onlink().mtu(1450).build()
 * Route.to(Ipv4Prefix.host(podIp)).dev(lxcIndex).build()          // scope link, as `ip route add … dev …`
 * }</pre>
 *
 * @param dst      destination network
 * @param gateway  RTA_GATEWAY, null for a direct route
 * @param oif      RTA_OIF, 0 when not given
 * @param scope    rtm_scope; the builder picks LINK for direct routes and UNIVERSE for routes via a gateway
 * @param table    routing table (254 = main)
 * @param protocol rtm_protocol (3 = boot as `ip` uses, 4 = static, 2 = kernel)
 * @param type     rtm_type (1 = unicast, 6 = blackhole, …)
 * @param onlink   RTNH_F_ONLINK: the gateway is on the link even if no address says so
 * @param mtu      RTAX_MTU metric, 0 when none
 * @param prefSrc  RTA_PREFSRC, null when none
 * @param priority RTA_PRIORITY (metric), 0 when none; unsigned 32-bit (use {@link Integer#toUnsignedLong})
 */
public record Route(Ipv4Prefix dst, Inet4Address gateway, int oif, Scope scope, int table, int protocol, int type,
                    boolean onlink, int mtu, Inet4Address prefSrc, int priority) {
    public static final int TABLE_MAIN = 254, TABLE_LOCAL = 255;
    public static final int PROTO_KERNEL = 2, PROTO_BOOT = 3, PROTO_STATIC = 4;
    public static final int TYPE_UNICAST = 1, TYPE_LOCAL = 2, TYPE_BROADCAST = 3, TYPE_BLACKHOLE = 6;

    public Route {
        Objects.requireNonNull(dst, "route.dst");
        Objects.requireNonNull(scope, "route.scope");
        if (oif < 0) throw new IllegalArgumentException("route.oif: interface index " + oif + " is negative");
        if (table < 1) throw new IllegalArgumentException("route.table: " + table + " is not a table id");
        if (protocol < 0 || protocol > 255) throw new IllegalArgumentException("route.protocol: " + protocol + " is not in 0..255");
        if (type < 1 || type > 255) throw new IllegalArgumentException("route.type: " + type + " is not in 1..255");
        // mtu and priority are checked by the builder only: dumps must decode whatever the kernel holds
        if (mtu < 0) throw new IllegalArgumentException("route.mtu: " + mtu + " is negative");
        if (onlink && gateway == null) throw new IllegalArgumentException("route.onlink: needs a gateway");
    }

    public static Builder to(Ipv4Prefix dst) {
        return new Builder(dst);
    }

    public static Builder to(String dst) {
        return new Builder(Ipv4Prefix.parse(dst));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(dst.length() == 0 ? "default" : dst.toString());
        if (gateway != null) sb.append(" via ").append(gateway.getHostAddress());
        if (oif > 0) sb.append(" dev ").append(oif);
        if (table != TABLE_MAIN) sb.append(" table ").append(table);
        sb.append(" proto ").append(protocol).append(" scope ").append(scope.ipName());
        if (prefSrc != null) sb.append(" src ").append(prefSrc.getHostAddress());
        if (priority != 0) sb.append(" metric ").append(Integer.toUnsignedString(priority));
        if (onlink) sb.append(" onlink");
        if (mtu > 0) sb.append(" mtu ").append(mtu);
        return sb.toString();
    }

    /** Collects a route's fields; {@link #build()} validates and picks the scope when none was set. */
    public static final class Builder {
        private final Ipv4Prefix dst;
        private Inet4Address gateway, prefSrc;
        private int oif, table = TABLE_MAIN, protocol = PROTO_STATIC, type = TYPE_UNICAST, mtu, priority;
        private Scope scope;
        private boolean onlink;

        private Builder(Ipv4Prefix dst) {
            this.dst = Objects.requireNonNull(dst, "route.dst");
        }

        public Builder via(Inet4Address gw) { this.gateway = gw; return this; }

        public Builder via(String gw) { return via(Check.inet4(gw, "route.gateway")); }

        public Builder dev(int ifindex) { this.oif = Check.ifindex("route.oif", ifindex); return this; }

        public Builder scope(Scope s) { this.scope = s; return this; }

        public Builder table(int t) { this.table = t; return this; }

        public Builder protocol(int p) { this.protocol = p; return this; }

        public Builder type(int t) { this.type = t; return this; }

        public Builder onlink() { this.onlink = true; return this; }

        public Builder mtu(int m) { this.mtu = Check.mtu("route.mtu", m, true); return this; }

        public Builder src(Inet4Address s) { this.prefSrc = s; return this; }

        /** The route metric, unsigned 32-bit. */
        public Builder priority(int p) { this.priority = p; return this; }

        public Route build() {
            Scope s = scope != null ? scope : gateway == null && type == TYPE_UNICAST && oif > 0 ? Scope.LINK : Scope.UNIVERSE;
            return new Route(dst, gateway, oif, s, table, protocol, type, onlink, mtu, prefSrc, priority);
        }
    }
}
