/**
 * rtnetlink from Java through FFM: no processes, no libraries.
 *
 * <p>{@link io.twill.netlink.RtNetlink} is a thread-safe socket bound to one network namespace
 * ({@code RtNetlink.open()} for the caller's, {@code RtNetlink.openIn(path)} for another). It creates veth pairs
 * with the peer directly in the pod's namespace ({@link io.twill.netlink.VethSpec}) and VXLAN devices
 * ({@link io.twill.netlink.VxlanSpec}); sets links up/down, MTU, MAC, name, namespace; adds, replaces, deletes and
 * lists IPv4 {@link io.twill.netlink.Address}es, {@link io.twill.netlink.Route}s (with MTU metric, onlink, scope)
 * and permanent {@link io.twill.netlink.Neighbour}s. Failures are {@link io.twill.netlink.NetlinkException}s
 * carrying the errno and the kernel's extended-ack text; "not there" is {@code Optional.empty()}/{@code false}.
 * {@link io.twill.netlink.NetNs} runs code inside a namespace; {@link io.twill.netlink.Sysctl} writes
 * {@code /proc/sys/net} for the calling thread's namespace.
 *
 * <p>A CNI ADD, end to end (see the module README):
 * <pre>{@code
 * MacAddress podMac = MacAddress.randomLocal();
 * Link lxc = host.createVeth(VethSpec.of("lxc" + hash, "eth0", podNetns).withMtu(mtu).withPeerMac(podMac)
 *         .withUp(true, false));
 * try (RtNetlink pod = RtNetlink.openIn(podNetns)) {
 *     int eth0 = lxc.peerIndex();
 *     pod.addAddress(Address.of(eth0, podIp, 32));
 *     pod.setUp(eth0);
 *     pod.addRoute(Route.to(Ipv4Prefix.host(gw)).dev(eth0).build());
 *     pod.addRoute(Route.to(Ipv4Prefix.DEFAULT).via(gw).dev(eth0).onlink().mtu(mtu - 50).build());
 *     pod.addNeighbour(Neighbour.permanent(eth0, gw, lxc.mac()));
 * }
 * host.addRoute(Route.to(Ipv4Prefix.host(podIp)).dev(lxc.index()).build());
 * }</pre>
 */
package io.twill.netlink;
