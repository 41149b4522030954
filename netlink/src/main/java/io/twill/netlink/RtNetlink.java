package io.twill.netlink;

import io.twill.types.Errno;
import io.twill.types.MacAddress;
import io.twill.netlink.internal.NetNsFd;
import io.twill.netlink.internal.NetNsWorker;
import io.twill.netlink.internal.NetlinkSocket;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static io.twill.netlink.internal.Rtnl.*;

/**
 * An rtnetlink socket bound to one network namespace: links (veth, VXLAN), IPv4 addresses, routes and neighbours.
 *
 * <p>The namespace is fixed when the socket is made: {@link #open()} uses the calling thread's, {@link #openIn(Path)}
 * makes the socket on a short-lived thread inside the given namespace. Afterwards it may be used from any thread,
 * virtual ones included; it is thread-safe (one request/reply exchange at a time). Close it when done; close is
 * idempotent. Every failure is a {@link NetlinkException} naming the request, the object, the errno and the kernel's
 * message; arguments are validated before anything is sent ({@link IllegalArgumentException} naming the field).
 * Things that may legitimately be missing are answered with {@code Optional.empty()} or {@code false}.
 */
public final class RtNetlink implements AutoCloseable {
    private final NetlinkSocket sock;

    private RtNetlink(NetlinkSocket sock) {
        this.sock = sock;
    }

    /** A socket in the calling thread's network namespace. */
    public static RtNetlink open() {
        return new RtNetlink(NetlinkSocket.openRoute("the caller's netns"));
    }

    /**
     * A socket in the namespace at {@code netns} ({@code /run/netns/x}, {@code /proc/<pid>/ns/net}). It is made on a
     * long-lived worker thread that enters the namespace and returns to its own right after (no thread per call).
     */
    public static RtNetlink openIn(Path netns) {
        Objects.requireNonNull(netns, "netns");
        return NetNsWorker.call(netns, () -> new RtNetlink(NetlinkSocket.openRoute("netns " + netns)));
    }

    /** Where this socket lives, for messages. */
    public String where() { return sock.where(); }

    // ---------------------------------------------------------------- links

    /** The link called {@code name}, or empty. */
    public Optional<Link> link(String name) {
        Check.ifName("name", name);
        return getLink(name, w -> w.ifinfomsg(AF_UNSPEC_, 0, 0, 0).string(IFLA_IFNAME, name).u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS));
    }

    /** The link with index {@code ifindex}, or empty. */
    public Optional<Link> link(int ifindex) {
        Check.ifindex("ifindex", ifindex);
        return getLink("ifindex " + ifindex, w -> w.ifinfomsg(AF_UNSPEC_, ifindex, 0, 0).u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS));
    }

    private Optional<Link> getLink(String object, NetlinkSocket.Body body) {
        Link[] out = new Link[1];
        try {
            sock.get(RTM_GETLINK, 0, object, body, (b, t, s, e) -> {
                if (t == RTM_NEWLINK) out[0] = Codec.link(b, s, e);
            });
        } catch (NetlinkException ex) {
            if (ex.is(Errno.ENODEV)) return Optional.empty();
            throw ex;
        }
        return Optional.ofNullable(out[0]);
    }

    /** The link called {@code name}; a {@link NetlinkException} with ENODEV when there is none. */
    public Link requireLink(String name) {
        return link(name).orElseThrow(() -> new NetlinkException("RTM_GETLINK", name, Errno.ENODEV,
                "no interface " + name + " in " + where()));
    }

    /** Every link in the namespace. */
    public List<Link> links() {
        List<Link> out = new ArrayList<>();
        sock.dump(RTM_GETLINK, "links", w -> w.ifinfomsg(AF_UNSPEC_, 0, 0, 0).u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS),
                (b, t, s, e) -> {
                    if (t == RTM_NEWLINK) out.add(Codec.link(b, s, e));
                });
        return out;
    }

    /**
     * Creates a veth pair in one request; the peer is made directly in {@code spec.peerNetns()}. Returns the host
     * end: its {@link Link#peerIndex()} is the peer's ifindex inside the peer's namespace.
     */
    public Link createVeth(VethSpec spec) {
        Objects.requireNonNull(spec, "spec");
        // The host end may come up in the create request itself; the peer may not (the kernel opens the peer
        // before the two are linked, and veth_open answers ENOTCONN), so it is set up right after.
        int upFlags = spec.up() ? IFF_UP : 0;
        Link[] echoed = new Link[1];
        try (NetNsFd ns = spec.peerNetns() == null ? null : NetNsFd.open(spec.peerNetns())) {
            try {
                // NLM_F_ECHO: the kernel sends the new link back before the ack, which saves an RTM_GETLINK
                sock.ack(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, spec.name(), w -> {
                    w.ifinfomsg(AF_UNSPEC_, 0, upFlags, upFlags).string(IFLA_IFNAME, spec.name());
                    if (spec.mtu() > 0) w.u32(IFLA_MTU, spec.mtu());
                    if (spec.mac() != null) w.bytes(IFLA_ADDRESS, spec.mac().bytes());
                    long info = w.nest(IFLA_LINKINFO);
                    w.string(IFLA_INFO_KIND, "veth");
                    long data = w.nest(IFLA_INFO_DATA);
                    long peer = w.nest(VETH_INFO_PEER);
                    w.ifinfomsg(AF_UNSPEC_, 0, 0, 0).string(IFLA_IFNAME, spec.peerName());
                    if (ns != null) w.u32(IFLA_NET_NS_FD, ns.fd());
                    if (spec.mtu() > 0) w.u32(IFLA_MTU, spec.mtu());
                    if (spec.peerMac() != null) w.bytes(IFLA_ADDRESS, spec.peerMac().bytes());
                    w.end(peer).end(data).end(info);
                }, (b, t, s, e) -> {
                    if (t == RTM_NEWLINK) echoed[0] = Codec.link(b, s, e);
                });
            } catch (NetlinkException ex) {
                if (ex.is(Errno.EEXIST)) {
                    throw ex.withHint("an interface named " + spec.name() + " (in " + where() + ") or " + spec.peerName()
                            + " (in " + (spec.peerNetns() == null ? where() : spec.peerNetns()) + ") already exists");
                }
                throw ex;
            }
        }
        Link host = echoed[0] != null && spec.name().equals(echoed[0].name()) && echoed[0].peerIndex() > 0
                ? echoed[0] : requireLink(spec.name());
        if (!spec.peerUp()) return host;
        try {
            if (spec.peerNetns() == null) {
                setUp(host.peerIndex());
            } else {
                // RTM_SETLINK with IFLA_TARGET_NETNSID would move the device, not address it: use the peer's netns.
                try (RtNetlink peerNs = openIn(spec.peerNetns())) {
                    peerNs.setUp(host.peerIndex());
                }
            }
        } catch (RuntimeException ex) {
            deleteLink(host.index()); // all or nothing: the pair goes with the failure
            throw ex;
        }
        return link(host.index()).orElse(host);
    }

    /** Creates a VXLAN device and returns it. */
    public Link createVxlan(VxlanSpec spec) {
        Objects.requireNonNull(spec, "spec");
        int upFlags = spec.up() ? IFF_UP : 0;
        try {
            sock.ack(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, spec.name(), w -> {
                w.ifinfomsg(AF_UNSPEC_, 0, upFlags, upFlags).string(IFLA_IFNAME, spec.name());
                if (spec.mtu() > 0) w.u32(IFLA_MTU, spec.mtu());
                if (spec.mac() != null) w.bytes(IFLA_ADDRESS, spec.mac().bytes());
                long info = w.nest(IFLA_LINKINFO);
                w.string(IFLA_INFO_KIND, "vxlan");
                long data = w.nest(IFLA_INFO_DATA);
                if (!spec.external()) w.u32(IFLA_VXLAN_ID, spec.vni());
                w.u16be(IFLA_VXLAN_PORT, spec.dstPort());
                w.u8(IFLA_VXLAN_LEARNING, spec.learning() ? 1 : 0);
                if (spec.external()) w.u8(IFLA_VXLAN_COLLECT_METADATA, 1);
                if (spec.underlayIndex() > 0) w.u32(IFLA_VXLAN_LINK, spec.underlayIndex());
                if (spec.local() != null) w.inet4(IFLA_VXLAN_LOCAL, spec.local());
                w.end(data).end(info);
            });
        } catch (NetlinkException ex) {
            if (ex.is(Errno.EEXIST) && ex.detail() == null) {
                throw ex.withHint("an interface named " + spec.name() + " (or a VXLAN device with the same port/VNI) already exists in " + where());
            }
            throw ex;
        }
        return requireLink(spec.name());
    }

    /** Deletes the link called {@code name} (a veth takes its peer with it); false when there was none. */
    public boolean deleteLink(String name) {
        Check.ifName("name", name);
        return deleteLink(name, w -> w.ifinfomsg(AF_UNSPEC_, 0, 0, 0).string(IFLA_IFNAME, name));
    }

    /** Deletes the link with index {@code ifindex}; false when there was none. */
    public boolean deleteLink(int ifindex) {
        Check.ifindex("ifindex", ifindex);
        return deleteLink("ifindex " + ifindex, w -> w.ifinfomsg(AF_UNSPEC_, ifindex, 0, 0));
    }

    private boolean deleteLink(String object, NetlinkSocket.Body body) {
        try {
            sock.ack(RTM_DELLINK, 0, object, body);
            return true;
        } catch (NetlinkException ex) {
            if (ex.is(Errno.ENODEV)) return false;
            throw ex;
        }
    }

    public void setUp(int ifindex) {
        setLink(ifindex, "up", w -> w.ifinfomsg(AF_UNSPEC_, Check.ifindex("ifindex", ifindex), IFF_UP, IFF_UP));
    }

    public void setDown(int ifindex) {
        setLink(ifindex, "down", w -> w.ifinfomsg(AF_UNSPEC_, Check.ifindex("ifindex", ifindex), 0, IFF_UP));
    }

    public void setMtu(int ifindex, int mtu) {
        Check.ifindex("ifindex", ifindex);
        Check.mtu("mtu", mtu, false);
        setLink(ifindex, "mtu " + mtu, w -> w.ifinfomsg(AF_UNSPEC_, ifindex, 0, 0).u32(IFLA_MTU, mtu));
    }

    public void setMac(int ifindex, MacAddress mac) {
        Check.ifindex("ifindex", ifindex);
        Objects.requireNonNull(mac, "mac");
        if (mac.isMulticast() || mac.isZero()) throw new IllegalArgumentException("mac: " + mac + " is not a unicast address");
        setLink(ifindex, "address " + mac, w -> w.ifinfomsg(AF_UNSPEC_, ifindex, 0, 0).bytes(IFLA_ADDRESS, mac.bytes()));
    }

    /** Renames a link (kernel 6.18 renames links that are up; older kernels answer EBUSY, explained in the error). */
    public void rename(int ifindex, String newName) {
        Check.ifindex("ifindex", ifindex);
        Check.ifName("newName", newName);
        try {
            setLink(ifindex, "name " + newName, w -> w.ifinfomsg(AF_UNSPEC_, ifindex, 0, 0).string(IFLA_IFNAME, newName));
        } catch (NetlinkException ex) {
            if (ex.is(Errno.EBUSY)) throw ex.withHint("the kernel does not rename an interface that is up; set it down first");
            if (ex.is(Errno.EEXIST)) throw ex.withHint("an interface named " + newName + " already exists in " + where());
            throw ex;
        }
    }

    /** Moves a link into the namespace at {@code netns} (it arrives down). */
    public void moveToNetns(int ifindex, Path netns) {
        moveToNetns(ifindex, netns, null);
    }

    /** Moves a link into the namespace at {@code netns}, renaming it there to {@code newName} (null = keep). */
    public void moveToNetns(int ifindex, Path netns, String newName) {
        Check.ifindex("ifindex", ifindex);
        Objects.requireNonNull(netns, "netns");
        if (newName != null) Check.ifName("newName", newName);
        try (NetNsFd ns = NetNsFd.open(netns)) {
            setLink(ifindex, "netns " + netns, w -> {
                w.ifinfomsg(AF_UNSPEC_, ifindex, 0, 0).u32(IFLA_NET_NS_FD, ns.fd());
                if (newName != null) w.string(IFLA_IFNAME, newName);
            });
        }
    }

    private void setLink(int ifindex, String what, NetlinkSocket.Body body) {
        sock.ack(RTM_SETLINK, 0, "ifindex " + ifindex + " " + what, body);
    }

    // ---------------------------------------------------------------- addresses

    public void addAddress(Address a) {
        sock.ack(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, a.toString(), w -> Codec.writeAddress(w, a));
    }

    /** Adds the address, or accepts it when already there (idempotent; the kernel keeps the existing scope). */
    public void replaceAddress(Address a) {
        sock.ack(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, a.toString(), w -> Codec.writeAddress(w, a));
    }

    /** False when the interface has no such address. */
    public boolean deleteAddress(Address a) {
        try {
            sock.ack(RTM_DELADDR, 0, a.toString(), w -> Codec.writeAddress(w, a));
            return true;
        } catch (NetlinkException ex) {
            if (ex.is(Errno.EADDRNOTAVAIL)) return false;
            throw ex;
        }
    }

    /** Every IPv4 address in the namespace. */
    public List<Address> addresses() {
        return dumpAddresses(0);
    }

    /** The IPv4 addresses of one interface. */
    public List<Address> addresses(int ifindex) {
        return dumpAddresses(Check.ifindex("ifindex", ifindex));
    }

    private List<Address> dumpAddresses(int ifindex) {
        List<Address> out = new ArrayList<>();
        sock.dump(RTM_GETADDR, ifindex == 0 ? "addresses" : "ifindex " + ifindex,
                w -> w.ifaddrmsg(Codec.AF_INET, 0, 0, 0, ifindex), (b, t, s, e) -> {
                    Address a = t == RTM_NEWADDR ? Codec.address(b, s, e) : null;
                    if (a != null && (ifindex == 0 || a.ifindex() == ifindex)) out.add(a);
                });
        return out;
    }

    // ---------------------------------------------------------------- routes

    /** Adds a route; EEXIST when the same destination/metric is already in the table. */
    public void addRoute(Route r) {
        sock.ack(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r.toString(), w -> Codec.writeRoute(w, r));
    }

    /** Adds the route, or replaces the one with the same destination, TOS and metric. */
    public void replaceRoute(Route r) {
        sock.ack(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r.toString(), w -> Codec.writeRoute(w, r));
    }

    /** Deletes the route matching the destination and table (and gateway/device/metric when set); false when none. */
    public boolean deleteRoute(Route r) {
        try {
            sock.ack(RTM_DELROUTE, 0, r.toString(), w -> Codec.writeRouteSelector(w, r));
            return true;
        } catch (NetlinkException ex) {
            if (ex.is(Errno.ESRCH)) return false;
            throw ex;
        }
    }

    /** The IPv4 routes of the main table. */
    public List<Route> routes() {
        return routes(Route.TABLE_MAIN);
    }

    /** The IPv4 routes of one table. */
    public List<Route> routes(int table) {
        if (table < 1) throw new IllegalArgumentException("table: " + table + " is not a table id");
        List<Route> out = new ArrayList<>();
        sock.dump(RTM_GETROUTE, "table " + table, w -> {
            w.rtmsg(Codec.AF_INET, 0, table < 256 ? table : RT_TABLE_UNSPEC, 0, 0, 0, 0);
            if (table >= 256) w.u32(RTA_TABLE, table);
        }, (b, t, s, e) -> {
            Route r = t == RTM_NEWROUTE ? Codec.route(b, s, e) : null;
            if (r != null && r.table() == table) out.add(r);
        });
        return out;
    }

    // ---------------------------------------------------------------- neighbours

    public void addNeighbour(Neighbour n) {
        sock.ack(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, n.toString(), w -> Codec.writeNeighbour(w, n));
    }

    public void replaceNeighbour(Neighbour n) {
        sock.ack(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, n.toString(), w -> Codec.writeNeighbour(w, n));
    }

    /** False when there was no entry. */
    public boolean deleteNeighbour(int ifindex, Inet4Address address) {
        Check.ifindex("ifindex", ifindex);
        Objects.requireNonNull(address, "address");
        try {
            sock.ack(RTM_DELNEIGH, 0, address.getHostAddress() + " dev " + ifindex,
                    w -> w.ndmsg(Codec.AF_INET, ifindex, 0, 0, 0).inet4(NDA_DST, address));
            return true;
        } catch (NetlinkException ex) {
            if (ex.is(Errno.ENOENT)) return false;
            throw ex;
        }
    }

    /** The IPv4 neighbour entries of one interface (0 = all interfaces). */
    public List<Neighbour> neighbours(int ifindex) {
        if (ifindex < 0) throw new IllegalArgumentException("ifindex: " + ifindex + " is negative");
        List<Neighbour> out = new ArrayList<>();
        sock.dump(RTM_GETNEIGH, ifindex == 0 ? "neighbours" : "ifindex " + ifindex, w -> {
            w.ndmsg(Codec.AF_INET, 0, 0, 0, 0);
            if (ifindex > 0) w.u32(NDA_IFINDEX, ifindex);
        }, (b, t, s, e) -> {
            Neighbour n = t == RTM_NEWNEIGH ? Codec.neighbour(b, s, e) : null;
            if (n != null && (ifindex == 0 || n.ifindex() == ifindex)) out.add(n);
        });
        return out;
    }

    @Override
    public void close() {
        sock.close();
    }

    @Override
    public String toString() {
        return "RtNetlink(" + sock + ")";
    }

    private static final int AF_UNSPEC_ = 0;
}
