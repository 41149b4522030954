package io.twill.netlink;

import io.twill.types.MacAddress;
import io.twill.types.Ipv4Prefix;
import io.twill.netlink.internal.Attrs;
import io.twill.netlink.internal.MsgWriter;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;

import static io.twill.netlink.internal.Rtnl.*;
import static io.twill.netlink.internal.Structs.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Turns rtnetlink messages into the public records and routes into requests. */
final class Codec {
    private Codec() {}

    static final int AF_INET = 2;
    private static final int IFLA_MAX_USED = 60, IFLA_VXLAN_MAX_USED = 30;

    static Link link(MemorySegment b, long start, long end) {
        int index = b.get(JAVA_INT, start + IFI_INDEX);
        int flags = b.get(JAVA_INT, start + IFI_FLAGS);
        Attrs a = Attrs.parse(b, start + ifinfomsg.byteSize(), end, IFLA_MAX_USED);
        byte[] mac = a.bytes(IFLA_ADDRESS);
        Attrs info = a.nested(IFLA_LINKINFO, IFLA_INFO_SLAVE_KIND);
        String kind = info.string(IFLA_INFO_KIND);
        VxlanInfo vx = null;
        if ("vxlan".equals(kind)) {
            Attrs d = info.nested(IFLA_INFO_DATA, IFLA_VXLAN_MAX_USED);
            vx = new VxlanInfo(d.u32(IFLA_VXLAN_ID, 0), d.u16be(IFLA_VXLAN_PORT, 0),
                    d.u8(IFLA_VXLAN_COLLECT_METADATA, 0) != 0, d.u8(IFLA_VXLAN_LEARNING, 0) != 0,
                    d.u32(IFLA_VXLAN_LINK, 0), d.inet4(IFLA_VXLAN_LOCAL));
        }
        int netnsId = a.u32(IFLA_LINK_NETNSID, -1);
        // The kernel leaves IFLA_LINK out when it equals the device's own index, which happens for a veth whose
        // peer sits at the same index in another namespace.
        int peer = a.has(IFLA_LINK) ? a.u32(IFLA_LINK, 0) : netnsId >= 0 && "veth".equals(kind) ? index : 0;
        return new Link(index, a.string(IFLA_IFNAME), mac != null && mac.length == 6 ? MacAddress.of(mac) : null,
                a.u32(IFLA_MTU, 0), flags, kind, a.u32(IFLA_MASTER, 0), peer == index && netnsId < 0 ? 0 : peer,
                netnsId, a.u8(IFLA_OPERSTATE, 0), vx);
    }

    /** Null for non-IPv4 messages. */
    static Address address(MemorySegment b, long start, long end) {
        if (b.get(JAVA_BYTE, start + IFA_FAMILY) != AF_INET) return null;
        int len = Byte.toUnsignedInt(b.get(JAVA_BYTE, start + IFA_PREFIXLEN));
        int scope = Byte.toUnsignedInt(b.get(JAVA_BYTE, start + IFA_SCOPE));
        int index = b.get(JAVA_INT, start + IFA_INDEX);
        Attrs a = Attrs.parse(b, start + ifaddrmsg.byteSize(), end, IFA_FLAGS);
        Inet4Address local = a.inet4(IFA_LOCAL);
        if (local == null) local = a.inet4(IFA_ADDRESS);
        if (local == null) return null;
        return new Address(index, local, len, Scope.of(scope));
    }

    /** Null for non-IPv4 messages. */
    static Route route(MemorySegment b, long start, long end) {
        if (b.get(JAVA_BYTE, start + RTM_FAMILY) != AF_INET) return null;
        int dstLen = Byte.toUnsignedInt(b.get(JAVA_BYTE, start + RTM_DST_LEN));
        Attrs a = Attrs.parse(b, start + rtmsg.byteSize(), end, RTA_TABLE);
        Inet4Address dst = a.inet4(RTA_DST);
        Ipv4Prefix prefix = dst == null ? Ipv4Prefix.DEFAULT : Ipv4Prefix.containing(dst, dstLen);
        int table = a.u32(RTA_TABLE, Byte.toUnsignedInt(b.get(JAVA_BYTE, start + RTM_TABLE)));
        int type = Byte.toUnsignedInt(b.get(JAVA_BYTE, start + RTM_TYPE));
        int flags = b.get(JAVA_INT, start + RTM_FLAGS);
        int mtu = a.nested(RTA_METRICS, RTAX_ADVMSS).u32(RTAX_MTU, 0);
        return new Route(prefix, a.inet4(RTA_GATEWAY), a.u32(RTA_OIF, 0),
                Scope.of(Byte.toUnsignedInt(b.get(JAVA_BYTE, start + RTM_SCOPE))), table == 0 ? RT_TABLE_MAIN : table,
                Byte.toUnsignedInt(b.get(JAVA_BYTE, start + RTM_PROTOCOL)), type == 0 ? RTN_UNICAST : type,
                (flags & RTNH_F_ONLINK) != 0 && a.has(RTA_GATEWAY), mtu, a.inet4(RTA_PREFSRC),
                a.u32(RTA_PRIORITY, 0));
    }

    /** Null for non-IPv4 or non-neighbour entries. */
    static Neighbour neighbour(MemorySegment b, long start, long end) {
        if (b.get(JAVA_BYTE, start + NDM_FAMILY) != AF_INET) return null;
        int ifindex = b.get(JAVA_INT, start + NDM_IFINDEX);
        int state = Short.toUnsignedInt(b.get(JAVA_SHORT, start + NDM_STATE));
        Attrs a = Attrs.parse(b, start + ndmsg.byteSize(), end, NDA_IFINDEX);
        Inet4Address dst = a.inet4(NDA_DST);
        if (dst == null || ifindex <= 0) return null;
        byte[] ll = a.bytes(NDA_LLADDR);
        return new Neighbour(ifindex, dst, ll != null && ll.length == 6 ? MacAddress.of(ll) : null, state);
    }

    /** The rtmsg and attributes of an add/replace request. */
    static void writeRoute(MsgWriter w, Route r) {
        int flags = r.onlink() ? RTNH_F_ONLINK : 0;
        w.rtmsg(AF_INET, r.dst().length(), r.table() < 256 ? r.table() : RT_TABLE_UNSPEC, r.protocol(),
                r.scope().code(), r.type(), flags);
        w.u32(RTA_TABLE, r.table());
        if (r.dst().length() > 0) w.inet4(RTA_DST, r.dst().address());
        if (r.gateway() != null) w.inet4(RTA_GATEWAY, r.gateway());
        if (r.oif() > 0) w.u32(RTA_OIF, r.oif());
        if (r.prefSrc() != null) w.inet4(RTA_PREFSRC, r.prefSrc());
        if (r.priority() != 0) w.u32(RTA_PRIORITY, r.priority());
        if (r.mtu() > 0) {
            long m = w.nest(RTA_METRICS);
            w.u32(RTAX_MTU, r.mtu());
            w.end(m);
        }
    }

    /** A delete request matches on what the route names: destination, table, and gateway/device/metric if set. */
    static void writeRouteSelector(MsgWriter w, Route r) {
        w.rtmsg(AF_INET, r.dst().length(), r.table() < 256 ? r.table() : RT_TABLE_UNSPEC, 0, RT_SCOPE_NOWHERE, 0, 0);
        w.u32(RTA_TABLE, r.table());
        if (r.dst().length() > 0) w.inet4(RTA_DST, r.dst().address());
        if (r.gateway() != null) w.inet4(RTA_GATEWAY, r.gateway());
        if (r.oif() > 0) w.u32(RTA_OIF, r.oif());
        if (r.priority() != 0) w.u32(RTA_PRIORITY, r.priority());
    }

    static void writeAddress(MsgWriter w, Address a) {
        w.ifaddrmsg(AF_INET, a.prefixLength(), 0, a.scope().code(), a.ifindex())
                .inet4(IFA_LOCAL, a.address()).inet4(IFA_ADDRESS, a.address());
    }

    static void writeNeighbour(MsgWriter w, Neighbour n) {
        if (n.mac() == null) throw new IllegalArgumentException("neighbour.mac: needed to add " + n.address().getHostAddress());
        w.ndmsg(AF_INET, n.ifindex(), n.state(), 0, 0).inet4(NDA_DST, n.address()).bytes(NDA_LLADDR, n.mac().bytes());
    }
}
