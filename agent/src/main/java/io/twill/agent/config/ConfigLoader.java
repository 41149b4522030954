package io.twill.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.daemon.ConfigLoading;
import io.twill.daemon.ConfigLoading.Flag;
import io.twill.daemon.ConfigLoading.Kind;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the {@link AgentConfig} from, in increasing precedence: the defaults in the records' constructors, a
 * YAML or JSON file ({@code --config FILE} or {@code TWILL_CONFIG}), environment variables ({@code TWILL_} + the
 * flag name in upper snake case, e.g. {@code TWILL_NODE_NAME}) and command-line flags ({@code --node-name x} or
 * {@code --node-name=x}), through the plumbing the operator's loader shares ({@link ConfigLoading}). Unknown keys in
 * the file and unknown flags fail, naming the key; unknown {@code TWILL_*} variables are logged (other Twill programs
 * share the prefix). {@code --help} throws {@link ConfigLoading.HelpRequested}.
 */
public final class ConfigLoader {
    static final String ENV_PREFIX = "TWILL_";

    static final List<Flag> FLAGS = List.of(
            new Flag("node-name", "nodeName", Kind.TEXT, "this node's name (default: the host name)"),
            new Flag("standalone", "kubernetes.enabled", Kind.NEGATED_BOOL, "run without Kubernetes (needs --pod-cidr)"),
            new Flag("kubeconfig", "kubernetes.kubeconfig", Kind.TEXT, "kubeconfig file (default: in-cluster or $KUBECONFIG)"),
            new Flag("pin-root", "paths.pinRoot", Kind.TEXT, "bpffs directory for pinned maps and links (/sys/fs/bpf/twill)"),
            new Flag("state-dir", "paths.stateDir", Kind.TEXT, "endpoint and IPAM state (/var/run/twill)"),
            new Flag("socket", "paths.socket", Kind.TEXT, "CNI socket (<state-dir>/twill.sock)"),
            new Flag("uplink", "network.uplink", Kind.TEXT, "the node's uplink device (eth0)"),
            new Flag("routing-mode", "network.routingMode", Kind.TEXT, "overlay (VXLAN) or native"),
            new Flag("tunnel-port", "network.tunnelPort", Kind.INT, "VXLAN UDP port (8472)"),
            new Flag("cluster-cidr", "network.clusterPoolCIDR", Kind.TEXT, "the cluster's pod range (10.0.0.0/8)"),
            new Flag("mtu", "network.mtu", Kind.INT, "device MTU; 0 = the uplink's (0)"),
            new Flag("node-ip", "network.nodeIP", Kind.TEXT, "this node's underlay IPv4 (default: the uplink's first)"),
            new Flag("enable-tcx", "network.enableTCX", Kind.BOOL, "attach programs as TCX links where the kernel has them; false: cls_bpf (true)"),
            new Flag("pod-cidr", "standalone.podCIDRs", Kind.LIST, "standalone: this node's pod CIDR (repeatable, or comma-separated)"),
            new Flag("peers-file", "standalone.peersFile", Kind.TEXT, "standalone: file of '<node IP> <pod CIDR>' lines or JSON"),
            new Flag("metrics-address", "metrics.address", Kind.TEXT, "Prometheus endpoint, host:port or :port, 'off' (:9962)"),
            new Flag("cgroup-root", "paths.cgroupRoot", Kind.TEXT, "cgroup v2 mount for the socket load balancer (/run/twill/cgroupv2)"),
            new Flag("kube-proxy-replacement", "kubeProxyReplacement", Kind.BOOL, "serve ClusterIP, NodePort and external IPs in BPF, without kube-proxy (false)"),
            new Flag("node-port-range", "services.nodePortRange", Kind.TEXT, "NodePort range, as kube-apiserver's --service-node-port-range (30000-32767)"),
            new Flag("socket-lb", "services.socketLB", Kind.BOOL, "load-balance Services at connect() (true); false: per packet only"),
            new Flag("enable-masquerade", "masquerade.enabled", Kind.BOOL, "SNAT pod traffic leaving the cluster to the node address (true)"),
            new Flag("non-masquerade-cidrs", "masquerade.nonMasqueradeCIDRs", Kind.LIST, "destinations pods reach with their own address (repeatable)"),
            new Flag("ct-max-entries", "conntrack.maxEntries", Kind.INT, "connection tracking entries (524288)"));

    private static final ConfigLoading LOADING = new ConfigLoading("twill-agent", ENV_PREFIX, FLAGS,
            ConfigLoading.UnknownVariables.WARN, ConfigException::new);

    /** The mapper that reads and writes config trees (also used to print the effective config). */
    public ObjectMapper mapper() {
        return LOADING.mapper();
    }

    /**
     * Loads the configuration. {@code hostName} is the default node name (the caller reads it from the system).
     *
     * @throws ConfigException naming the flag, variable or key at fault
     */
    public AgentConfig load(List<String> args, Map<String, String> env, String hostName) {
        ConfigLoading.Sources sources = LOADING.merge(args, env);
        if (!sources.tree().has("nodeName") && hostName != null) {
            sources.tree().put("nodeName", hostName.strip().toLowerCase(Locale.ROOT));
        }
        return bind(sources.tree(), sources.file());
    }

    /** Binds a merged tree to the records, with messages that name the key. */
    public AgentConfig bind(JsonNode tree, Path file) {
        return LOADING.bind(tree, AgentConfig.class, file);
    }

    /** The flags and their environment variables, for --help. */
    public static String usage() {
        return LOADING.usage();
    }
}
