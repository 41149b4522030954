package io.twill.bench.datapath;

import io.twill.bpf.BpfObject;
import io.twill.bpf.BpfProgram;
import io.twill.bpf.ObjectSpec;
import io.twill.bpf.OnClose;
import io.twill.bpf.Tc;
import io.twill.bpf.TcAttachOptions;
import io.twill.bpf.TcAttachment;
import io.twill.bpf.TcDirection;
import io.twill.bpf.TcMode;
import io.twill.bpf.Features;
import io.twill.datapath.Datapath;
import io.twill.datapath.DatapathConfig;
import io.twill.maps.endpoints.EndpointsMap;
import io.twill.maps.tunnel.TunnelMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * bpf_lxc, bpf_overlay and bpf_host of another build of bpf-src, read from a directory and loaded and attached as
 * {@link Datapath} loads and attaches the current ones: one pin root for the shared maps, the same TCX link pins
 * (or cls_bpf handle and priority), the same devices. bench/scripts/datapath.sh uses it for the datapath as it was
 * before connection tracking (bpf-src built from the commit before the Services work), to measure what connection
 * tracking and NAT cost on the same node against the objects they were added to.
 *
 * <p>Only the settings the older objects have are written ({@code constants}: the {@code cfg_*} names of that
 * build's lib/config.h); their twill_endpoints and twill_tunnel layouts are the current ones (checked by
 * the typed maps' size checks on the way in), so the same typed maps fill them.
 */
final class ObjectDirDatapath implements BenchDatapath {
    private static final List<String> OBJECTS = List.of(Datapath.LXC_OBJECT, Datapath.OVERLAY_OBJECT, Datapath.HOST_OBJECT);

    private final Path pinRoot;
    private final TcMode mode;
    private final BpfObject lxc, overlay, host;
    private final EndpointsMap endpoints;
    private final TunnelMap tunnel;

    private ObjectDirDatapath(Path pinRoot, TcMode mode, List<BpfObject> objects, EndpointsMap endpoints, TunnelMap tunnel) {
        this.pinRoot = pinRoot;
        this.mode = mode;
        this.lxc = objects.get(0);
        this.overlay = objects.get(1);
        this.host = objects.get(2);
        this.endpoints = endpoints;
        this.tunnel = tunnel;
    }

    /** Loads {@code <dir>/bpf_{lxc,overlay,host}.bpf.o}, all or nothing. */
    static ObjectDirDatapath load(Path dir, Set<String> constants, DatapathConfig config, Path pinRoot, TcMode mode) {
        try {
            Files.createDirectories(pinRoot.resolve("links"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the pin root " + pinRoot, e);
        }
        List<AutoCloseable> owned = new ArrayList<>();
        boolean ok = false;
        try {
            List<BpfObject> objects = new ArrayList<>();
            for (String name : OBJECTS) {
                Path file = dir.resolve(name + ".bpf.o");
                if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--objects: no " + file);
                ObjectSpec spec = ObjectSpec.fromFile(file).withObjectName(name).withPinRoot(pinRoot);
                for (var c : config.constants().entrySet()) {
                    if (constants.contains(c.getKey())) spec = spec.withConstant(c.getKey(), c.getValue());
                }
                BpfObject o = spec.load();
                owned.add(o);
                objects.add(o);
            }
            EndpointsMap endpoints = EndpointsMap.of(objects.get(0).takeMap(EndpointsMap.MAP_NAME));
            owned.add(endpoints);
            TunnelMap tunnel = TunnelMap.of(objects.get(0).takeMap(TunnelMap.MAP_NAME));
            owned.add(tunnel);
            ok = true;
            return new ObjectDirDatapath(pinRoot, mode, objects, endpoints, tunnel);
        } finally {
            if (!ok) {
                for (AutoCloseable c : owned.reversed()) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // the load failure propagates
                    }
                }
            }
        }
    }

    @Override
    public void attachUplink(int ifindex) {
        attach(host, Datapath.FROM_NETDEV, ifindex, TcDirection.INGRESS);
        host.findProgram(Datapath.TO_NETDEV).ifPresent(p -> attach(p, ifindex, TcDirection.EGRESS));
    }

    @Override
    public void attachOverlay(int ifindex) {
        attach(overlay, Datapath.FROM_OVERLAY, ifindex, TcDirection.INGRESS);
    }

    /** from_container on ingress, and to_container on egress when the build has it. */
    @Override
    public void attachEndpoint(int ifindex) {
        attach(lxc, Datapath.FROM_CONTAINER, ifindex, TcDirection.INGRESS);
        lxc.findProgram(Datapath.TO_CONTAINER).ifPresent(p -> attach(p, ifindex, TcDirection.EGRESS));
    }

    private void attach(BpfObject o, String program, int ifindex, TcDirection dir) {
        attach(o.findProgram(program).orElseThrow(() -> new IllegalStateException(o.name() + " has no program " + program)),
                ifindex, dir);
    }

    /** As Datapath attaches: the link pinned where Datapath pins it, kept after this process exits. */
    private void attach(BpfProgram program, int ifindex, TcDirection dir) {
        Path pin = pinRoot.resolve("links").resolve("if" + Integer.toUnsignedString(ifindex) + "_" + dir);
        TcAttachOptions opts = TcAttachOptions.defaults().withMode(mode).withLinkPin(pin).withOnClose(OnClose.KEEP)
                .withHandleAndPriority(Datapath.CLS_HANDLE, Datapath.CLS_PRIORITY).withReplaceExisting(true);
        try (TcAttachment ignored = Tc.attach(ifindex, dir, program, opts)) {
            // KEEP: the pin (or the filter) holds the program once this owner is closed
        }
    }

    @Override
    public TunnelMap tunnel() {
        return tunnel;
    }

    @Override
    public EndpointsMap endpoints() {
        return endpoints;
    }

    @Override
    public boolean usesClsBpf() {
        return mode == TcMode.CLS_BPF || (mode == TcMode.AUTO && !Features.tcx());
    }

    @Override
    public void close() {
        endpoints.close();
        tunnel.close();
        host.close();
        overlay.close();
        lxc.close();
    }
}
