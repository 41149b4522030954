package io.twill.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.twill.agent.cni.AgentCniBackend;
import io.twill.agent.config.AgentConfig;
import io.twill.agent.datapath.CtSweeper;
import io.twill.agent.datapath.LbSetup;
import io.twill.agent.service.ServiceTranslator;
import io.twill.agent.service.ServiceWatcher;
import io.twill.bpf.BpfFs;
import io.twill.agent.datapath.HostPath;
import io.twill.agent.datapath.MapsDatapathWriter;
import io.twill.agent.datapath.MapsTunnelTable;
import io.twill.agent.datapath.NetlinkEndpointNetwork;
import io.twill.agent.datapath.NetlinkNativeRoutes;
import io.twill.agent.datapath.NodeNamespace;
import io.twill.agent.datapath.NodeSetup;
import io.twill.agent.endpoint.EndpointManager;
import io.twill.agent.endpoint.EndpointRegistry;
import io.twill.agent.endpoint.EndpointRestorer;
import io.twill.agent.ipam.Ipam;
import io.twill.agent.ipam.PodCidrSource;
import io.twill.agent.k8s.Backoff;
import io.twill.agent.k8s.NativeRoutes;
import io.twill.agent.k8s.NodeRegistrar;
import io.twill.agent.k8s.NodeStatusReporter;
import io.twill.agent.k8s.NodeWatcher;
import io.twill.agent.k8s.TunnelTable;
import io.twill.agent.metrics.HealthCheck;
import io.twill.agent.metrics.MetricsServer;
import io.twill.agent.metrics.TwillMetrics;
import io.twill.agent.state.FileEndpointStore;
import io.twill.agent.state.FileIpamStore;
import io.twill.bpf.TcMode;
import io.twill.cni.CniEngine;
import io.twill.cni.CniListener;
import io.twill.cni.server.CniServer;
import io.twill.cni.server.CniServerConfig;
import io.twill.datapath.Datapath;
import io.twill.datapath.DatapathConfig;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.netlink.RtNetlink;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import io.twill.types.RoutingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The node agent, assembled: the composition root. {@link #start} brings it up in this order, each step logged:
 * preflight (privileges, libbpf, BTF) → bpffs under the pin root → node setup (uplink, node IP, MTU, sysctls,
 * twill_vxlan) → datapath loaded (pinned maps adopted) and attached to the uplink and twill_vxlan → pod CIDRs (the
 * operator through the TwillNode, or {@code --pod-cidr}) and peers (node watcher, or the static peers file) → IPAM →
 * endpoint restore → the CNI server (which first drains the shim's deletion queue) → status reports.
 *
 * <p>{@link #close()} stops serving and releases the agent's handles but leaves the datapath in place (pinned maps,
 * attached programs, pinned links, devices, routes), so pods keep their traffic while the agent is away.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    public static final String VERSION = "0.1.0";

    private final AgentConfig cfg;
    private final NodeNamespace ns;
    private final Instant started = Instant.now();
    /** What to release on close, last acquired first. */
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private volatile boolean ready;
    /** What start-up is doing now, for /healthz while it is not ready yet. */
    private volatile String phase = "starting";
    private volatile boolean closed;

    // Written by the starting thread, read by the metrics server's threads at any time.
    private volatile RtNetlink node;
    private volatile NodeSetup.Node nodeInfo;
    private volatile Datapath datapath;
    private volatile NodeWatcher watcher;
    private volatile Ipam ipam;
    private volatile EndpointManager endpoints;
    private volatile CniServer server;
    private volatile MetricsServer metricsServer;
    private volatile EndpointRestorer.Report restoreReport;
    private volatile CtSweeper ctSweeper;
    private volatile TwillMetrics twillMetrics;
    private volatile ServiceWatcher services;

    private Agent(AgentConfig cfg, NodeNamespace ns) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.ns = Objects.requireNonNull(ns, "ns");
    }

    /**
     * Starts the agent for the node whose network namespace is {@code ns} and returns once the CNI server serves.
     *
     * @throws AgentStartupException naming what is missing or what failed
     */
    public static Agent start(AgentConfig cfg, NodeNamespace ns) throws InterruptedException {
        Agent a = new Agent(cfg, ns);
        boolean ok = false;
        try {
            a.startUp();
            ok = true;
            return a;
        } catch (AgentStartupException | InterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AgentStartupException("twill-agent could not start: " + e.getMessage(), e);
        } finally {
            if (!ok) a.close();
        }
    }

    private void startUp() throws InterruptedException {
        List<String> problems = Preflight.problems();
        if (!problems.isEmpty()) throw new AgentStartupException("twill-agent cannot run here:\n  " + String.join("\n  ", problems));
        log.info("twill-agent {} starting on node {} ({} mode, {} routing)", VERSION, cfg.nodeName(),
                cfg.standaloneMode() ? "standalone" : "Kubernetes", cfg.network().routingMode().value());

        // Metrics first, so /healthz answers (503, with the reason) while the agent waits for its pod CIDR.
        CniListener cniListener = CniListener.NONE;
        if (cfg.metrics().enabled()) {
            LiveAgentView view = new LiveAgentView(this);
            TwillMetrics metrics = new TwillMetrics(view);
            twillMetrics = metrics;
            metricsServer = own(MetricsServer.start(cfg.metrics().address(), metrics, view));
            cniListener = metrics.cniListener();
        }

        phase = "setting up the node";
        BpfFs.ensureMounted(cfg.paths().pinRoot());
        node = own(ns.openNetlink());
        nodeInfo = NodeSetup.prepare(cfg, node, ns);

        Ipv4Prefix cluster = cfg.network().clusterPoolCIDR();
        Ipv4Prefix clusterPrefix = cluster;
        DatapathConfig dc = (cfg.network().routingMode() == RoutingMode.OVERLAY
                ? DatapathConfig.overlay(nodeInfo.nodeIp(), clusterPrefix, nodeInfo.vxlanIfindex())
                : DatapathConfig.nativeRouting(nodeInfo.nodeIp(), clusterPrefix))
                .withKubeProxyReplacement(cfg.kubeProxyReplacement())
                .withMasquerade(cfg.masquerade().enabled(), cfg.masquerade().portRange().min(), cfg.masquerade().portRange().max())
                .withCtMaxEntries(cfg.conntrack().maxEntries());
        // TCX where the kernel has it (like Cilium's enable-tcx): measured 7-10 % more small packets per second than a
        // cls_bpf filter on the same path (bench/README.md). Attaching a link, and deleting a device that holds one,
        // may wait for an RCU grace period; the CNI benchmark did not show it (ADD p50 22.3 ms with TCX, 24.8 ms with
        // cls_bpf, same session). network.enableTCX=false keeps cls_bpf filters; switching either way on a restart
        // replaces each attachment without a gap (Datapath.attach).
        TcMode mode = cfg.network().enableTCX() ? TcMode.AUTO : TcMode.CLS_BPF; // AUTO: TCX if the kernel has it
        datapath = own(Datapath.load(dc, cfg.paths().pinRoot(), mode));
        ns.run(() -> {
            datapath.attachUplink(nodeInfo.uplink().index());
            if (nodeInfo.vxlan() != null) datapath.attachOverlay(nodeInfo.vxlanIfindex());
        });
        log.info("Datapath attached ({}): bpf_host on {}{}", attachMode(), nodeInfo.uplink().name(),
                nodeInfo.vxlan() == null ? "" : ", bpf_overlay on " + NodeSetup.VXLAN_NAME);
        int hostPathIndex = setUpHostPath(cluster);
        LbSetup.prepare(cfg, datapath, ns, node, nodeInfo);
        ctSweeper = own(new CtSweeper(datapath.ct(), datapath.snat(), Duration.ofSeconds(cfg.conntrack().gcIntervalSeconds())));
        ctSweeper.start();

        TunnelTable tunnel = new MapsTunnelTable(datapath.tunnel());
        NativeRoutes routes = new NetlinkNativeRoutes(node);
        PodCidrSource cidrSource;
        KubernetesClient client = null;
        if (cfg.standaloneMode()) {
            cidrSource = PodCidrSource.fixed(cfg.standalone().podCIDRs());
            StaticPeers.apply(cfg, nodeInfo.nodeIp(), tunnel, routes);
        } else {
            client = own(kubernetesClient());
            NodeRegistrar registrar = new NodeRegistrar(client, cfg.nodeName(), nodeInfo.nodeIp(),
                    new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10)));
            registrar.register();
            cidrSource = registrar;
            watcher = own(cfg.network().routingMode() == RoutingMode.OVERLAY
                    ? NodeWatcher.overlay(client, cfg.nodeName(), tunnel, Duration.ofMinutes(5))
                    : NodeWatcher.nativeRouting(client, cfg.nodeName(), tunnel, routes, Duration.ofMinutes(5)));
            watcher.start();
            if (cfg.kubeProxyReplacement()) {
                services = own(LbSetup.watch(cfg, client, datapath, nodeInfo, serviceProblems()));
            }
        }
        phase = "waiting for this node's pod CIDR";
        List<Ipv4Prefix> podCidrs = cidrSource.awaitPodCidrs();
        for (Ipv4Prefix c : podCidrs) {
            if (!cluster.contains(c)) {
                log.warn("Pod CIDR {} lies outside network.clusterPoolCIDR {}: the datapath treats its pods as outside the cluster", c, cluster);
            }
        }
        ipam = Ipam.open(new FileIpamStore(cfg.paths().ipamDir()), podCidrs);
        log.info("IPAM over {}: {}", podCidrs, ipam.usage());

        phase = "restoring endpoints";
        EndpointRegistry registry = new EndpointRegistry();
        NetlinkEndpointNetwork network = new NetlinkEndpointNetwork(node);
        int uplinkIndex = nodeInfo.uplink().index(), vxlanIndex = nodeInfo.vxlanIfindex();
        boolean socketLb = cfg.kubeProxyReplacement() && cfg.services().socketLB();
        CtSweeper sweeper = ctSweeper;
        MapsDatapathWriter writer = new MapsDatapathWriter(datapath, ns, socketLb, sweeper::forget, () -> uplinkIndex, () -> vxlanIndex,
                () -> hostPathIndex);
        FileEndpointStore store = new FileEndpointStore(cfg.paths().endpointsDir());
        restoreReport = new EndpointRestorer(ipam, network, writer, store, registry).restore();
        int overhead = cfg.network().routingMode() == RoutingMode.OVERLAY ? AgentConfig.Network.VXLAN_OVERHEAD : 0;
        endpoints = new EndpointManager(new EndpointManager.Settings(nodeInfo.mtu(), overhead), ipam, network, writer,
                store, registry, Clock.systemUTC());

        AgentCniBackend backend = new AgentCniBackend(endpoints, cfg.nodeName(), () -> Optional.empty());
        server = own(CniServer.start(CniServerConfig.at(cfg.paths().socket()), new CniEngine(backend, cniListener)));

        if (client != null) {
            NodeStatusReporter status = own(new NodeStatusReporter(client, cfg.nodeName(), health(),
                    () -> Optional.ofNullable(ipam).map(Ipam::usage), VERSION, started, Duration.ofSeconds(30), Clock.systemUTC()));
            status.start();
        }
        ready = true;
        phase = "ready";
        log.info("twill-agent ready on {}: {} endpoints, CNI socket {}", cfg.nodeName(), registry.count(), cfg.paths().socket());
    }

    /**
     * Overlay mode: the node's own route into the overlay ({@link HostPath}), with bpf_lxc on twill_net and the node
     * IP as a HOST endpoint behind it. Native mode: the kernel routes to remote pods already; a host path left by an
     * earlier overlay run is removed. Returns twill_net's ifindex, or 0.
     */
    private int setUpHostPath(Ipv4Prefix cluster) {
        Inet4Address nodeIp = nodeInfo.nodeIp();
        if (cfg.network().routingMode() != RoutingMode.OVERLAY) {
            if (node.deleteLink(HostPath.HOST_DEV)) log.info("Removed {} (not used in native routing)", HostPath.HOST_DEV);
            datapath.endpoints().lookup(nodeIp).filter(EndpointInfo::isHost).ifPresent(e -> datapath.endpoints().delete(nodeIp));
            return 0;
        }
        HostPath.Devices hp = HostPath.ensure(node, ns, cluster, nodeIp, nodeInfo.uplink().name(), nodeInfo.mtu(),
                cfg.network().routeMtu(nodeInfo.mtu()));
        int net = hp.net().index();
        ns.run(() -> datapath.attachHostPath(net));
        datapath.endpoints().put(nodeIp, new EndpointInfo(net, 0, EndpointInfo.F_HOST, new MacAddress(0),
                hp.net().mac()));
        return net;
    }

    private KubernetesClient kubernetesClient() {
        Config config;
        if (cfg.kubernetes().kubeconfig() != null) {
            try {
                String text = Files.readString(cfg.kubernetes().kubeconfig());
                config = Config.fromKubeconfig(null, text, cfg.kubernetes().kubeconfig().toString());
            } catch (IOException e) {
                throw new AgentStartupException("cannot read kubernetes.kubeconfig " + cfg.kubernetes().kubeconfig() + ": " + e, e);
            }
        } else {
            config = Config.autoConfigure(null);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    /** Healthy while the datapath is loaded and the CNI server serves. */
    public HealthCheck health() {
        return HealthCheck.all(List.of(
                HealthCheck.when(() -> !closed, "the agent is stopping"),
                HealthCheck.when(() -> closed || ready, "the agent is starting: " + phase),
                HealthCheck.when(() -> closed || !ready || datapath != null, "the datapath is not loaded"),
                HealthCheck.when(() -> closed || !ready || server != null, "the CNI server is not running")));
    }

    public boolean ready() {
        return ready && !closed;
    }

    public AgentConfig config() {
        return cfg;
    }

    public NodeSetup.Node node() {
        return nodeInfo;
    }

    public Datapath datapath() {
        return datapath;
    }

    public EndpointManager endpoints() {
        return endpoints;
    }

    public Ipam ipam() {
        return ipam;
    }

    public NodeWatcher watcher() {
        return watcher;
    }

    /** The Service watcher, null without kube-proxy replacement (or before it started). */
    public ServiceWatcher services() {
        return services;
    }

    /** The connection tracking sweeper, null before the datapath is loaded. */
    public CtSweeper ctSweeper() {
        return ctSweeper;
    }

    /** Where Service problems go: the log (by the watcher) and the metrics. */
    private java.util.function.Consumer<ServiceTranslator.Problem> serviceProblems() {
        TwillMetrics m = twillMetrics;
        return m == null ? p -> {} : p -> m.serviceProblem(p.reason());
    }

    /** "tcx" or "cls_bpf" once the datapath is loaded, null before. */
    public String attachMode() {
        Datapath dp = datapath;
        return dp == null ? null : dp.usesClsBpf() ? "cls_bpf" : "tcx";
    }

    public Instant startTime() {
        return started;
    }

    public boolean closed() {
        return closed;
    }

    /** The metrics server, null when {@code metrics.address} is off. */
    public MetricsServer metricsServer() {
        return metricsServer;
    }

    public EndpointRestorer.Report restoreReport() {
        return restoreReport;
    }

    /** Stops serving and releases handles; the datapath stays in the kernel. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        while (!owned.isEmpty()) {
            AutoCloseable c = owned.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("Closing {} failed: {}", c, e.toString());
            }
        }
        log.info("twill-agent stopped; the datapath stays in place");
    }
}
