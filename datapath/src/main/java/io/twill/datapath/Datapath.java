package io.twill.datapath;

import io.twill.bpf.BpfException;
import io.twill.bpf.BpfLink;
import io.twill.bpf.CgroupAttachType;
import io.twill.bpf.BpfObject;
import io.twill.bpf.BpfProgram;
import io.twill.bpf.ClsBpfAttachment;
import io.twill.bpf.Features;
import io.twill.bpf.ObjectSpec;
import io.twill.bpf.OnClose;
import io.twill.bpf.Tc;
import io.twill.bpf.TcAttachOptions;
import io.twill.bpf.TcAttachment;
import io.twill.bpf.TcDirection;
import io.twill.bpf.TcMode;
import io.twill.maps.ct.CtMap;
import io.twill.maps.endpoints.EndpointsMap;
import io.twill.maps.lb.LbBackendsMap;
import io.twill.maps.lb.LbNetnsMap;
import io.twill.maps.lb.LbRevNatMap;
import io.twill.maps.lb.LbServicesMap;
import io.twill.maps.snat.NonMasqMap;
import io.twill.maps.snat.SnatMap;
import io.twill.maps.events.DatapathEvent;
import io.twill.maps.events.EventReader;
import io.twill.maps.metrics.MetricsMap;
import io.twill.maps.tunnel.TunnelMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The node's datapath: the four objects (bpf_lxc, bpf_overlay, bpf_host, bpf_sock) loaded from the twill-bpf-src jar
 * with one {@link DatapathConfig}, sharing the maps pinned by name under {@code pinRoot}, plus the typed maps and the
 * attach operations the agent needs.
 *
 * <p>Attachments outlive this object and the process: TCX links are pinned under {@code <pinRoot>/links/} (cls_bpf
 * filters stay by themselves), so traffic keeps flowing while the agent restarts; the attach methods return an
 * {@link Attached} description, with nothing to close. Attaching again (a restarted agent,
 * a new config) adopts what is there and swaps the program atomically. Call the attach methods from a thread inside
 * the node's network namespace; devices are found there.
 *
 * <pre>{@code
 * try (Datapath dp = Datapath.load(DatapathConfig.overlay(nodeIp, clusterCidr, vxlanIfindex), pinRoot)) {
 *     dp.attachUplink(eth0Ifindex); dp.attachOverlay(vxlanIfindex);
 *     dp.tunnel().put(peerCidr, peerNodeIp);
 *     dp.endpoints().put(podIp, EndpointInfo.pod(lxcIfindex, id, podMac, lxcMac));
 *     dp.attachEndpoint(lxcIfindex);
 * }
 * }</pre>
 */
public final class Datapath implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Datapath.class);

    public static final String LXC_OBJECT = "bpf_lxc", OVERLAY_OBJECT = "bpf_overlay", HOST_OBJECT = "bpf_host",
            SOCK_OBJECT = "bpf_sock";
    public static final String FROM_CONTAINER = "from_container", TO_CONTAINER = "to_container",
            FROM_OVERLAY = "from_overlay", FROM_NETDEV = "from_netdev", TO_NETDEV = "to_netdev";
    /** The socket programs, by the cgroup hook each one takes. */
    public static final Map<CgroupAttachType, String> SOCK_PROGRAMS = Map.of(
            CgroupAttachType.CONNECT4, "sock_connect4", CgroupAttachType.SENDMSG4, "sock_sendmsg4",
            CgroupAttachType.RECVMSG4, "sock_recvmsg4", CgroupAttachType.GETPEERNAME4, "sock_getpeername4",
            CgroupAttachType.CONNECT6, "sock_connect6", CgroupAttachType.SENDMSG6, "sock_sendmsg6",
            CgroupAttachType.RECVMSG6, "sock_recvmsg6", CgroupAttachType.GETPEERNAME6, "sock_getpeername6");
    /** One socket hook of the load balancer as attached. */
    public record SocketHook(CgroupAttachType hook, String program, int programId) {}

    /** Maps whose size comes from the config: an earlier run's pin of another size is replaced (it is only state). */
    static final Set<String> RESIZABLE = Set.of(CtMap.MAP_NAME);
    /** cls_bpf filter handle and priority (when TCX is not available). */
    public static final int CLS_HANDLE = 1, CLS_PRIORITY = 1;

    private final DatapathConfig config;
    private final Path pinRoot;
    private final TcMode mode;
    private final BpfObject lxc, overlay, host, sock;
    private final DatapathMaps maps;
    private volatile boolean closed;

    private Datapath(DatapathConfig config, Path pinRoot, TcMode mode, List<BpfObject> objects) {
        this.config = config;
        this.pinRoot = pinRoot;
        this.mode = mode;
        this.lxc = objects.get(0);
        this.overlay = objects.get(1);
        this.host = objects.get(2);
        this.sock = objects.get(3);
        this.maps = DatapathMaps.take(lxc, host);
    }

    /** Loads with TCX where the kernel has it, cls_bpf otherwise. */
    public static Datapath load(DatapathConfig config, Path pinRoot) {
        return load(config, pinRoot, TcMode.AUTO);
    }

    /**
     * Loads the three objects, all or nothing. {@code pinRoot} must be a directory on a bpffs (created if missing);
     * maps already pinned there (a previous run) are reused with their contents.
     */
    public static Datapath load(DatapathConfig config, Path pinRoot, TcMode mode) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(pinRoot, "pinRoot");
        Objects.requireNonNull(mode, "mode");
        try {
            Files.createDirectories(pinRoot.resolve("links"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the pin root " + pinRoot + " (it must be on a bpffs)", e);
        }
        List<BpfObject> loaded = new ArrayList<>();
        boolean ok = false;
        try {
            for (String name : List.of(LXC_OBJECT, OVERLAY_OBJECT, HOST_OBJECT, SOCK_OBJECT)) {
                ObjectSpec spec = ObjectSpec.fromResource(Datapath.class, "/io/twill/bpf/" + name + ".bpf.o")
                        .withObjectName(name).withPinRoot(pinRoot)
                        .withMaxEntries(CtMap.MAP_NAME, config.ctMaxEntries())
                        .withResizablePins(loaded.isEmpty() ? RESIZABLE : Set.of());
                for (var c : config.constants().entrySet()) spec = spec.withConstant(c.getKey(), c.getValue());
                loaded.add(spec.load());
            }
            Datapath dp = new Datapath(config, pinRoot, mode, loaded);
            ok = true;
            try {
                int labelled = dp.maps.metrics().label(); // before anything is attached: no packet is counted meanwhile
                if (labelled > 0) log.debug("labelled {} twill_metrics entries", labelled);
            } catch (RuntimeException e) {
                dp.close();
                throw e;
            }
            log.info("datapath loaded: {}, pin root {}", config, pinRoot);
            return dp;
        } finally {
            if (!ok) for (BpfObject o : loaded) o.close();
        }
    }

    public DatapathConfig config() { return config; }

    public Path pinRoot() { return pinRoot; }

    /** twill_endpoints; owned by this datapath (do not close it). */
    public EndpointsMap endpoints() { return maps.endpoints(); }

    /** twill_tunnel; owned by this datapath. */
    public TunnelMap tunnel() { return maps.tunnel(); }

    /** twill_metrics; owned by this datapath. */
    public MetricsMap metrics() { return maps.metrics(); }

    /** twill_ct; owned by this datapath. */
    public CtMap ct() { return maps.ct(); }

    /** twill_snat; owned by this datapath. */
    public SnatMap snat() { return maps.snat(); }

    /** twill_nonmasq; owned by this datapath. */
    public NonMasqMap nonMasq() { return maps.nonMasq(); }

    /** twill_lb_services; owned by this datapath. */
    public LbServicesMap lbServices() { return maps.lbServices(); }

    /** twill_lb_backends; owned by this datapath. */
    public LbBackendsMap lbBackends() { return maps.lbBackends(); }

    /** twill_lb_revnat; owned by this datapath. */
    public LbRevNatMap lbRevNat() { return maps.lbRevNat(); }

    /** twill_lb_netns; owned by this datapath. */
    public LbNetnsMap lbNetns() { return maps.lbNetns(); }

    /** A reader of twill_events, owned by the caller. */
    public EventReader openEvents(Consumer<? super DatapathEvent> handler) {
        ensureOpen();
        return EventReader.open(lxc.takeMap(EventReader.MAP_NAME), handler);
    }

    /** A program of the loaded objects, e.g. {@link #FROM_CONTAINER} (for test runs and tools). */
    public BpfProgram program(String name) {
        ensureOpen();
        return switch (name) {
            case FROM_CONTAINER, TO_CONTAINER -> lxc.program(name);
            case FROM_OVERLAY -> overlay.program(name);
            case FROM_NETDEV, TO_NETDEV -> host.program(name);
            default -> {
                if (SOCK_PROGRAMS.containsValue(name)) yield sock.program(name);
                throw new IllegalArgumentException("no datapath program " + name);
            }
        };
    }

    /**
     * Puts bpf_lxc on a pod's host-side veth: {@code from_container} on ingress (packets from the pod),
     * {@code to_container} on egress (what the host stack delivers to the pod).
     */
    public List<Attached> attachEndpoint(int lxcIfindex) {
        Attached in = attach(lxc.program(FROM_CONTAINER), lxcIfindex, TcDirection.INGRESS);
        try {
            return List.of(in, attach(lxc.program(TO_CONTAINER), lxcIfindex, TcDirection.EGRESS));
        } catch (RuntimeException e) {
            detach(lxcIfindex);
            throw e;
        }
    }

    /** Puts bpf_lxc's {@code from_container} on the ingress of twill_net, the node's way into the overlay. */
    public Attached attachHostPath(int netIfindex) {
        return attach(lxc.program(FROM_CONTAINER), netIfindex, TcDirection.INGRESS);
    }

    /**
     * Attaches the socket load balancer (bpf_sock) to the root of the cgroup v2 hierarchy mounted at
     * {@code cgroupRoot}: one link per hook, pinned under {@code <pinRoot>/links/cgroup_<hook>}, so it outlives the
     * agent; a link left by an earlier run gets the new program atomically.
     */
    public List<SocketHook> attachSocketLb(Path cgroupRoot) {
        ensureOpen();
        List<SocketHook> out = new ArrayList<>();
        for (CgroupAttachType type : CgroupAttachType.values()) {
            BpfProgram prog = sock.program(SOCK_PROGRAMS.get(type));
            Path pin = cgroupLinkPin(type);
            if (Files.exists(pin)) {
                try (BpfLink link = BpfLink.openPinned(pin)) {
                    link.update(prog);
                    out.add(new SocketHook(type, prog.name(), prog.id()));
                    continue;
                } catch (BpfException e) {
                    log.info("replacing the socket link pinned at {} ({})", pin, e.getMessage());
                    try (BpfLink stale = BpfLink.openPinned(pin)) {
                        stale.unpin();
                    } catch (BpfException ignored) {
                        // gone already
                    }
                }
            }
            try (BpfLink link = BpfLink.attachCgroup(prog, cgroupRoot, type)) {
                link.pin(pin);
            }
            out.add(new SocketHook(type, prog.name(), prog.id()));
        }
        return out;
    }

    /** Detaches the socket load balancer (kube-proxy replacement turned off); how many links it removed. */
    public int detachSocketLb() {
        ensureOpen();
        int removed = 0;
        for (CgroupAttachType type : CgroupAttachType.values()) {
            Path pin = cgroupLinkPin(type);
            if (!Files.exists(pin)) continue;
            try (BpfLink link = BpfLink.openPinned(pin)) {
                link.detach();
                link.unpin();
                removed++;
            }
        }
        return removed;
    }

    /** Where the socket load balancer's link for {@code type} is pinned. */
    public Path cgroupLinkPin(CgroupAttachType type) {
        return pinRoot.resolve("links").resolve("cgroup_" + type.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Puts bpf_overlay on the ingress of twill_vxlan. */
    public Attached attachOverlay(int vxlanIfindex) {
        return attach(overlay.program(FROM_OVERLAY), vxlanIfindex, TcDirection.INGRESS);
    }

    /** Puts bpf_host on the uplink (eth0): {@code from_netdev} on ingress, {@code to_netdev} on egress. */
    public List<Attached> attachUplink(int ifindex) {
        Attached in = attach(host.program(FROM_NETDEV), ifindex, TcDirection.INGRESS);
        try {
            return List.of(in, attach(host.program(TO_NETDEV), ifindex, TcDirection.EGRESS));
        } catch (RuntimeException e) {
            detach(ifindex);
            throw e;
        }
    }

    /**
     * Removes whatever this datapath attached to {@code ifindex} (both directions, TCX link pins included). Returns
     * how many attachments it removed. Deleting a pod's veth detaches its programs anyway; this cleans the pins.
     */
    public int detach(int ifindex) {
        ensureOpen();
        int removed = 0;
        for (TcDirection dir : TcDirection.values()) {
            if (removeLink(ifindex, dir)) removed++;
            else if (usesClsBpf() && removeFilter(ifindex, dir)) removed++;
        }
        return removed;
    }

    /** Detaches and unpins the TCX link pinned for {@code ifindex}/{@code dir}; false when there is no pin. */
    private boolean removeLink(int ifindex, TcDirection dir) {
        Path pin = linkPin(ifindex, dir);
        if (!Files.exists(pin)) return false;
        try (BpfLink link = BpfLink.openPinned(pin)) {
            if (link.info().ifindex() == ifindex) link.detach();
            link.unpin();
        }
        return true;
    }

    /** Deletes this datapath's cls_bpf filter (handle/priority) on {@code ifindex}/{@code dir}; false when absent. */
    private static boolean removeFilter(int ifindex, TcDirection dir) {
        var cls = ClsBpfAttachment.adopt(ifindex, null, dir, CLS_HANDLE, CLS_PRIORITY, OnClose.DETACH);
        cls.ifPresent(ClsBpfAttachment::detach);
        return cls.isPresent();
    }

    /** True when attachments are cls_bpf filters (asked for, or TCX missing), false for TCX links. */
    public boolean usesClsBpf() {
        return mode == TcMode.CLS_BPF || (mode == TcMode.AUTO && !Features.tcx());
    }

    /** Where the TCX link of {@code ifindex}/{@code dir} is pinned. */
    public Path linkPin(int ifindex, TcDirection dir) {
        return pinRoot.resolve("links").resolve("if" + Integer.toUnsignedString(ifindex) + "_" + dir);
    }

    private Attached attach(BpfProgram program, int ifindex, TcDirection dir) {
        ensureOpen();
        if (ifindex <= 0) throw new IllegalArgumentException("cannot attach " + program.name() + " to ifindex " + ifindex);
        Path pin = linkPin(ifindex, dir);
        dropStalePin(pin, ifindex, dir);
        TcAttachOptions opts = TcAttachOptions.defaults().withMode(mode).withLinkPin(pin).withOnClose(OnClose.KEEP)
                .withHandleAndPriority(CLS_HANDLE, CLS_PRIORITY).withReplaceExisting(true);
        // KEEP: closing the Java owner leaves the program attached (the link pin or the filter holds it).
        Attached done;
        try (TcAttachment a = Tc.attach(ifindex, dir, program, opts)) {
            done = new Attached(program.name(), ifindex, dir, a.kind(), a.programId());
        }
        // The other kind, left by a run in the other mode (network.enableTCX changed, or an upgrade), goes once the
        // new attachment is in place, so the device is never without a program. A TCX link would keep its old
        // program running ahead of the new filter; a filter under a TCX link would just be dead weight.
        if (usesClsBpf() ? removeLink(ifindex, dir) : removeFilter(ifindex, dir)) {
            log.info("{} on ifindex {} {}: removed the {} attachment of a previous run", program.name(), ifindex, dir,
                    usesClsBpf() ? "TCX" : "cls_bpf");
        }
        log.debug("attached {}", done);
        return done;
    }

    /** A pin left for a device that is gone (its ifindex since reused, or the link defunct) is removed. */
    private static void dropStalePin(Path pin, int ifindex, TcDirection dir) {
        if (!Files.exists(pin)) return;
        try (BpfLink link = BpfLink.openPinned(pin)) {
            BpfLink.Info info = link.info();
            if (info.ifindex() == ifindex && info.attachType() == dir.tcxAttachType()) return;
            log.info("removing stale link pin {} (link {} is on ifindex {}, not {})", pin, info.id(), info.ifindex(), ifindex);
            link.unpin();
        } catch (BpfException e) {
            throw new IllegalStateException("cannot inspect the link pinned at " + pin + ": " + e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("datapath at " + pinRoot + " is closed");
    }

    /**
     * Releases the objects and typed maps. Attached programs, pinned maps and pinned links stay: the datapath keeps
     * forwarding without its owner.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        RuntimeException first = null;
        List<AutoCloseable> all = new ArrayList<>(maps.all());
        all.addAll(List.of(lxc, overlay, host, sock));
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
        }
        if (first != null) throw first;
    }

    @Override
    public String toString() {
        return "datapath [" + config + "] at " + pinRoot;
    }
}
