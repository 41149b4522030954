package io.twill.agent.datapath;

import io.twill.agent.endpoint.DatapathWriter;
import io.twill.agent.endpoint.Endpoint;
import io.twill.bpf.BpfException;
import io.twill.bpf.BpfLink;
import io.twill.bpf.Tc;
import io.twill.bpf.TcDirection;
import io.twill.maps.MapEntry;
import io.twill.datapath.Datapath;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.endpoints.EndpointKey;
import io.twill.maps.lb.LbNetns;
import io.twill.netlink.NetNs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link DatapathWriter} on the maps module's {@link Datapath}: {@code bpf_lxc} attached through it (TCX link pinned
 * under {@code <pinRoot>/links/}, or cls_bpf), endpoint entries written to {@code twill_endpoints}. Attach and detach
 * run on a thread of the node's namespace ({@link NodeNamespace}), because the kernel finds the device by ifindex
 * in the caller's namespace.
 */
public final class MapsDatapathWriter implements DatapathWriter {
    private static final Logger log = LoggerFactory.getLogger(MapsDatapathWriter.class);
    private static final int ENODEV = 19;
    private static final Pattern PIN = Pattern.compile("if(\\d+)_(\\w+)");

    private final Datapath dp;
    private final NodeNamespace nodeNs;
    private final boolean socketLb;
    private final Consumer<Inet4Address> removed;
    private final IntSupplier[] nodeDevices;

    /**
     * @param socketLb    register each pod's network namespace in {@code twill_lb_netns}, so the socket load balancer
     *                    serves its sockets (kube-proxy replacement)
     * @param removed     told each address whose endpoint entry went (its connections are swept, {@link CtSweeper})
     * @param nodeDevices ifindexes of the node's own attachments (uplink, twill_vxlan) that are never endpoints'
     */
    public MapsDatapathWriter(Datapath dp, NodeNamespace nodeNs, boolean socketLb, Consumer<Inet4Address> removed,
                              IntSupplier... nodeDevices) {
        this.dp = Objects.requireNonNull(dp, "dp");
        this.nodeNs = Objects.requireNonNull(nodeNs, "nodeNs");
        this.socketLb = socketLb;
        this.removed = Objects.requireNonNull(removed, "removed");
        this.nodeDevices = nodeDevices.clone();
    }

    @Override
    public void attach(String hostIfname, int hostIfindex) {
        nodeNs.run(() -> dp.attachEndpoint(hostIfindex)); // the kernel owns the attachment: nothing to close
    }

    @Override
    public void detach(String hostIfname, int hostIfindex) {
        if (hostIfindex <= 0) return;
        nodeNs.run(() -> detachQuietlyIfGone(hostIfindex));
    }

    /** Detaches and unpins; a device that is already gone (its filters went with it) is not an error. */
    private void detachQuietlyIfGone(int ifindex) {
        try {
            dp.detach(ifindex);
        } catch (BpfException e) {
            if (e.errno() != ENODEV) throw e;
        }
    }

    @Override
    public void putEndpoint(Endpoint ep) {
        dp.endpoints().put(ep.ip(), EndpointInfo.pod(ep.hostIfindex(), ep.id(), ep.podMac(), ep.hostMac()));
        if (socketLb && ep.netns() != null && Files.exists(ep.netns())) {
            dp.lbNetns().put(NetNs.cookie(ep.netns()), new LbNetns(ep.id()));
        }
    }

    @Override
    public boolean removeEndpoint(Inet4Address ip) {
        Optional<EndpointInfo> info = dp.endpoints().lookup(ip);
        boolean deleted = dp.endpoints().delete(ip);
        if (info.isPresent() && !info.get().isHost()) {
            int id = info.get().endpointId();
            for (MapEntry<Long, LbNetns> e : dp.lbNetns().entries()) {
                if (e.value().endpointId() == id) dp.lbNetns().delete(e.key().longValue());
            }
            removed.accept(ip);
        }
        return deleted;
    }

    private static Entry entry(EndpointInfo i) {
        return new Entry(i.ifindex(), i.endpointId(), i.flags());
    }

    @Override
    public Optional<Entry> endpoint(Inet4Address ip) {
        return dp.endpoints().lookup(ip).map(MapsDatapathWriter::entry);
    }

    @Override
    public Map<Inet4Address, Entry> endpoints() {
        Map<Inet4Address, Entry> out = new LinkedHashMap<>();
        for (MapEntry<EndpointKey, EndpointInfo> e : dp.endpoints().entries()) out.put(e.key().addr(), entry(e.value()));
        return out;
    }

    @Override
    public List<String> verify(Endpoint ep) {
        List<String> p = new ArrayList<>();
        Optional<EndpointInfo> info = dp.endpoints().lookup(ep.ip());
        if (info.isEmpty()) {
            p.add("twill_endpoints has no entry for " + ep.ip().getHostAddress());
        } else {
            EndpointInfo want = EndpointInfo.pod(ep.hostIfindex(), ep.id(), ep.podMac(), ep.hostMac());
            if (!info.get().equals(want)) p.add("twill_endpoints[" + ep.ip().getHostAddress() + "] is {" + info.get() + "}, not {" + want + "}");
        }
        for (TcDirection dir : TcDirection.values()) {
            if (!attached(ep.hostIfname(), ep.hostIfindex(), dir)) {
                p.add("bpf_lxc is not attached to " + ep.hostIfname() + " " + dir.toString().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return p;
    }

    /** A pinned TCX link on the device, or a cls_bpf filter with Twill's handle and priority. */
    private boolean attached(String ifname, int ifindex, TcDirection dir) {
        Path pin = dp.linkPin(ifindex, dir);
        if (Files.exists(pin)) {
            try (BpfLink link = BpfLink.openPinned(pin)) {
                return link.info().ifindex() == ifindex;
            } catch (BpfException e) {
                return false;
            }
        }
        try {
            return nodeNs.call(() -> Tc.queryClsBpf(ifname, dir, Datapath.CLS_HANDLE, Datapath.CLS_PRIORITY).isPresent());
        } catch (BpfException e) {
            // The device is gone, so nothing is attached to it (CHECK reports the missing device as well).
            if ("ENODEV".equals(e.errnoName())) return false;
            throw e;
        }
    }

    @Override
    public List<String> removeStaleAttachments(Collection<Endpoint> live) {
        Set<Integer> keep = new HashSet<>();
        for (Endpoint ep : live) keep.add(ep.hostIfindex());
        for (IntSupplier s : nodeDevices) keep.add(s.getAsInt());
        Set<Integer> stale = new HashSet<>();
        Path dir = dp.pinRoot().resolve("links");
        if (!Files.isDirectory(dir)) return List.of();
        try (DirectoryStream<Path> pins = Files.newDirectoryStream(dir)) {
            for (Path pin : pins) {
                Matcher m = PIN.matcher(pin.getFileName().toString());
                if (!m.matches()) continue;
                int ifindex = Integer.parseUnsignedInt(m.group(1));
                if (!keep.contains(ifindex)) stale.add(ifindex);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<String> done = new ArrayList<>();
        for (int ifindex : stale) {
            nodeNs.run(() -> detachQuietlyIfGone(ifindex));
            done.add("pinned link of ifindex " + ifindex);
        }
        return done;
    }
}
