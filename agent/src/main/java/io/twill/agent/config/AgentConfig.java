package io.twill.agent.config;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.RoutingMode;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The whole configuration of one agent process, immutable and validated: every record checks its own fields in
 * its compact constructor and fills in defaults, so an {@code AgentConfig} that exists is usable. Built by
 * {@link ConfigLoader} from defaults &lt; file (YAML or JSON) &lt; environment &lt; flags.
 *
 * <pre>
 * nodeName: node-a                     # default: the host name
 * kubernetes: {enabled: true, kubeconfig: /etc/twill/kubeconfig}
 * paths: {pinRoot: /sys/fs/bpf/twill, stateDir: /var/run/twill, socket: /var/run/twill/twill.sock}
 * network: {uplink: eth0, routingMode: overlay, tunnelPort: 8472, clusterPoolCIDR: 10.0.0.0/8, mtu: 0, nodeIP: null,
 *           enableTCX: true}
 * standalone: {podCIDRs: [10.0.1.0/24], peersFile: /etc/twill/peers}
 * metrics: {address: ":9962"}
 * kubeProxyReplacement: false          # true: Twill serves ClusterIP, NodePort, external IPs (no kube-proxy)
 * services: {nodePortRange: 30000-32767, socketLB: true}
 * masquerade: {enabled: true, nonMasqueradeCIDRs: [], portRange: 61000-65535}
 * conntrack: {maxEntries: 524288, gcIntervalSeconds: 30}
 * </pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentConfig(String nodeName, Kubernetes kubernetes, Paths paths, Network network,
                          Standalone standalone, Metrics metrics, Boolean kubeProxyReplacement, ServicesConfig services,
                          MasqueradeConfig masquerade, ConntrackConfig conntrack) {

    /** RFC 1123 subdomain, as Kubernetes requires of node names. */
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public AgentConfig {
        if (nodeName == null || nodeName.isBlank()) throw new ConfigException("nodeName is required");
        if (nodeName.length() > 253 || !NODE_NAME.matcher(nodeName).matches()) {
            throw new ConfigException("nodeName '" + nodeName + "' is not a valid node name (lower-case letters, digits, '-' and '.', at most 253)");
        }
        kubernetes = kubernetes == null ? new Kubernetes(null, null) : kubernetes;
        paths = paths == null ? new Paths(null, null, null, null) : paths;
        network = network == null ? new Network(null, null, null, null, null, null, null) : network;
        standalone = standalone == null ? new Standalone(null, null) : standalone;
        metrics = metrics == null ? new Metrics(null) : metrics;
        kubeProxyReplacement = kubeProxyReplacement != null && kubeProxyReplacement;
        services = services == null ? new ServicesConfig(null, null) : services;
        masquerade = masquerade == null ? new MasqueradeConfig(null, null, null) : masquerade;
        conntrack = conntrack == null ? new ConntrackConfig(null, null) : conntrack;
        if (kubeProxyReplacement && !kubernetes.enabled()) {
            throw new ConfigException("kubeProxyReplacement needs Kubernetes (Services come from the API); it is off in standalone mode");
        }
        if (kubernetes.enabled()) {
            if (!standalone.podCIDRs().isEmpty()) {
                throw new ConfigException("standalone.podCIDRs is only for standalone mode (kubernetes.enabled=false); "
                        + "with Kubernetes the operator assigns the node's pod CIDRs");
            }
            if (standalone.peersFile() != null) {
                throw new ConfigException("standalone.peersFile is only for standalone mode (kubernetes.enabled=false)");
            }
        } else {
            if (standalone.podCIDRs().isEmpty()) {
                throw new ConfigException("standalone.podCIDRs (--pod-cidr) is required when kubernetes.enabled=false");
            }
            for (Ipv4Prefix c : standalone.podCIDRs()) {
                if (!network.clusterPoolCIDR().contains(c)) {
                    throw new ConfigException("standalone.podCIDRs: " + c + " is outside network.clusterPoolCIDR "
                            + network.clusterPoolCIDR());
                }
            }
        }
    }

    /** True when the agent runs without Kubernetes ({@code --standalone}). */
    public boolean standaloneMode() {
        return !kubernetes.enabled();
    }

    /** Kubernetes API access. {@code kubeconfig} null: in-cluster service account or $KUBECONFIG. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Kubernetes(Boolean enabled, Path kubeconfig) {
        public Kubernetes {
            enabled = enabled == null || enabled;
            if (kubeconfig != null && !enabled) {
                throw new ConfigException("kubernetes.kubeconfig is set but kubernetes.enabled=false");
            }
        }
    }

    /**
     * Where the agent keeps what must survive it. {@code cgroupRoot}: a cgroup v2 mount whose root the socket-level
     * load balancer attaches to (mounted there when missing, as Cilium does at /run/cilium/cgroupv2).
     */
    public record Paths(Path pinRoot, Path stateDir, Path socket, Path cgroupRoot) {
        public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/twill");
        public static final Path DEFAULT_STATE_DIR = Path.of("/var/run/twill");
        public static final Path DEFAULT_CGROUP_ROOT = Path.of("/run/twill/cgroupv2");
        /** sun_path holds 108 bytes including the terminating NUL. */
        public static final int MAX_SOCKET_PATH = 107;

        public Paths {
            pinRoot = absolute("paths.pinRoot", pinRoot == null ? DEFAULT_PIN_ROOT : pinRoot);
            stateDir = absolute("paths.stateDir", stateDir == null ? DEFAULT_STATE_DIR : stateDir);
            socket = absolute("paths.socket", socket == null ? stateDir.resolve("twill.sock") : socket);
            cgroupRoot = absolute("paths.cgroupRoot", cgroupRoot == null ? DEFAULT_CGROUP_ROOT : cgroupRoot);
            if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
                throw new ConfigException("paths.socket '" + socket + "' is longer than " + MAX_SOCKET_PATH
                        + " bytes, the limit of a Unix socket path");
            }
            if (pinRoot.getNameCount() < 1) throw new ConfigException("paths.pinRoot must not be /");
        }

        /** Endpoint state files, one per endpoint. */
        public Path endpointsDir() {
            return stateDir.resolve("endpoints");
        }

        /** IPAM allocations, one file per allocated address. */
        public Path ipamDir() {
            return stateDir.resolve("ipam");
        }
    }

    /**
     * The node's datapath. {@code mtu} 0 = the uplink's MTU; {@code nodeIP} null = the uplink's first IPv4.
     * {@code enableTCX}: attach the programs as TCX links where the kernel has TCX (6.6+), cls_bpf filters otherwise
     * or when false. TCX forwards 7-10 % more small packets per second here (bench/README.md).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Network(String uplink, RoutingMode routingMode, Integer tunnelPort, Ipv4Prefix clusterPoolCIDR,
                          Integer mtu, String nodeIP, Boolean enableTCX) {
        public static final int VXLAN_OVERHEAD = 50;
        public static final Ipv4Prefix DEFAULT_CLUSTER_POOL = Ipv4Prefix.parse("10.0.0.0/8");

        public Network {
            uplink = uplink == null ? "eth0" : uplink;
            checkIfname("network.uplink", uplink);
            routingMode = routingMode == null ? RoutingMode.OVERLAY : routingMode;
            tunnelPort = tunnelPort == null ? 8472 : tunnelPort;
            if (tunnelPort < 1 || tunnelPort > 65535) {
                throw new ConfigException("network.tunnelPort must be 1..65535, got " + tunnelPort);
            }
            clusterPoolCIDR = clusterPoolCIDR == null ? DEFAULT_CLUSTER_POOL : clusterPoolCIDR;
            if (clusterPoolCIDR.length() > 30) {
                throw new ConfigException("network.clusterPoolCIDR " + clusterPoolCIDR + " is too small for pods");
            }
            mtu = mtu == null ? 0 : mtu;
            enableTCX = enableTCX == null || enableTCX;
            if (mtu != 0 && (mtu < 576 + VXLAN_OVERHEAD || mtu > 65535)) {
                throw new ConfigException("network.mtu must be 0 (auto, from the uplink) or " + (576 + VXLAN_OVERHEAD)
                        + "..65535, got " + mtu);
            }
            if (nodeIP != null) {
                nodeIP = nodeIP.strip();
                try {
                    Ipv4.parseInt(nodeIP);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("network.nodeIP: " + e.getMessage());
                }
            }
        }

        /** The configured node IP, if any (otherwise the agent takes the uplink's first IPv4 address). */
        public Optional<Inet4Address> nodeAddress() {
            return Optional.ofNullable(nodeIP).map(Ipv4::parse);
        }

        /** MTU of routes in pods and to pods, given the device MTU: minus the VXLAN overhead in overlay mode. */
        public int routeMtu(int deviceMtu) {
            return routingMode == RoutingMode.OVERLAY ? deviceMtu - VXLAN_OVERHEAD : deviceMtu;
        }
    }

    /** Standalone mode (no Kubernetes): this node's pod CIDRs and an optional file of peers. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Standalone(List<Ipv4Prefix> podCIDRs, Path peersFile) {
        public Standalone {
            podCIDRs = podCIDRs == null ? List.of() : List.copyOf(podCIDRs);
            for (int i = 0; i < podCIDRs.size(); i++) {
                Ipv4Prefix c = Objects.requireNonNull(podCIDRs.get(i));
                if (c.length() > 30) {
                    throw new ConfigException("standalone.podCIDRs: " + c + " holds no pod addresses (at most /30)");
                }
                for (int j = 0; j < i; j++) {
                    if (c.overlaps(podCIDRs.get(j))) {
                        throw new ConfigException("standalone.podCIDRs: " + c + " overlaps " + podCIDRs.get(j));
                    }
                }
            }
            if (peersFile != null && !peersFile.isAbsolute()) {
                throw new ConfigException("standalone.peersFile must be an absolute path, got '" + peersFile + "'");
            }
        }
    }

    /** Prometheus endpoint: {@code host:port} or {@code :port} (all addresses); port 0 picks a free one; "off" disables. */
    public record Metrics(String address) {
        public Metrics {
            address = address == null ? ":9962" : address.strip();
            if (enabledFor(address)) checkAddress(address);
        }

        private static void checkAddress(String address) {
            int colon = address.lastIndexOf(':');
            if (colon < 0) throw new ConfigException("metrics.address '" + address + "' must be host:port or :port");
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                if (port < 0 || port > 65535) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new ConfigException("metrics.address '" + address + "' has no valid port (0..65535)");
            }
        }

        private static boolean enabledFor(String address) {
            return !address.equals("off") && !address.isEmpty();
        }

        public boolean enabled() {
            return enabledFor(address);
        }

        /** The host part, empty for all addresses. */
        public String host() {
            return address.substring(0, address.lastIndexOf(':'));
        }

        public int port() {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        }
    }

    private static Path absolute(String key, Path p) {
        if (!p.isAbsolute()) throw new ConfigException(key + " must be an absolute path, got '" + p + "'");
        return p.normalize();
    }

    /** Linux interface names: 1..15 bytes, no '/', ':', whitespace; not "." or "..". */
    public static void checkIfname(String key, String name) {
        if (name == null || name.isEmpty()) throw new ConfigException(key + " is empty");
        if (name.getBytes(StandardCharsets.UTF_8).length > 15) {
            throw new ConfigException(key + " '" + name + "' is longer than 15 bytes (IFNAMSIZ)");
        }
        if (name.equals(".") || name.equals("..") || name.chars().anyMatch(ch -> ch == '/' || ch == ':' || Character.isWhitespace(ch))) {
            throw new ConfigException(key + " '" + name + "' is not a valid interface name");
        }
    }
}
