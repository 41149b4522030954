package io.twill.operator.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.twill.operator.ipam.ClusterPoolAllocator;

import io.twill.types.Ipv4Prefix;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Everything the operator is told, as one immutable tree. Read by {@link OperatorConfigLoader} from a YAML/JSON
 * file, {@code TWILL_OPERATOR_*} environment variables and flags (in that order of precedence, lowest first).
 * Missing values take defaults; wrong ones fail here with a message that names the key.
 *
 * @param clusterPoolIPv4PodCIDRList pool prefixes node CIDRs are carved from (default 10.0.0.0/8); never edit
 *                                   existing entries on a live cluster, only append
 * @param clusterPoolIPv4MaskSize    prefix length of each node's CIDR (default 24)
 * @param kubeconfig                 kubeconfig file; null = Fabric8's default (KUBECONFIG, ~/.kube/config, in-cluster)
 * @param installCRDs                create or update the TwillNode CRD at start (default true)
 * @param eventNamespace             namespace for Events about cluster-scoped TwillNodes (default "default")
 * @param writeConcurrency           API writes in flight at once (default 16)
 */
public record OperatorConfig(
        List<String> clusterPoolIPv4PodCIDRList,
        Integer clusterPoolIPv4MaskSize,
        String kubeconfig,
        Boolean installCRDs,
        LeaderElection leaderElection,
        Metrics metrics,
        NodeGC nodeGC,
        String eventNamespace,
        Integer writeConcurrency) {

    public static final String DEFAULT_POOL = "10.0.0.0/8";
    public static final int DEFAULT_MASK_SIZE = 24;

    public OperatorConfig {
        clusterPoolIPv4PodCIDRList = clusterPoolIPv4PodCIDRList == null ? List.of(DEFAULT_POOL)
                : List.copyOf(clusterPoolIPv4PodCIDRList);
        clusterPoolIPv4MaskSize = clusterPoolIPv4MaskSize == null ? DEFAULT_MASK_SIZE : clusterPoolIPv4MaskSize;
        installCRDs = installCRDs == null || installCRDs;
        leaderElection = leaderElection == null ? LeaderElection.DEFAULTS : leaderElection;
        metrics = metrics == null ? Metrics.DEFAULTS : metrics;
        nodeGC = nodeGC == null ? NodeGC.DEFAULTS : nodeGC;
        eventNamespace = eventNamespace == null ? "default" : requireName("eventNamespace", eventNamespace);
        writeConcurrency = writeConcurrency == null ? 16 : writeConcurrency;
        if (writeConcurrency < 1 || writeConcurrency > 256) {
            throw new IllegalArgumentException("writeConcurrency: " + writeConcurrency + " is outside 1..256");
        }
        ClusterPoolAllocator.validate(parsePools(clusterPoolIPv4PodCIDRList), clusterPoolIPv4MaskSize);
    }

    /** All defaults: 10.0.0.0/8 in /24s, leader election on, metrics on :9963, node GC every 30 s. */
    public static OperatorConfig defaults() {
        return new OperatorConfig(null, null, null, null, null, null, null, null, null);
    }

    /** The pool prefixes, parsed (validated by the constructor, so this cannot fail). */
    @JsonIgnore
    public List<Ipv4Prefix> pools() {
        return parsePools(clusterPoolIPv4PodCIDRList);
    }

    private static List<Ipv4Prefix> parsePools(List<String> texts) {
        List<Ipv4Prefix> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            try {
                out.add(Ipv4Prefix.parse(texts.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("clusterPoolIPv4PodCIDRList[" + i + "]: " + e.getMessage(), e);
            }
        }
        return out;
    }

    static String requireName(String key, String value) {
        if (value.isBlank() || !value.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || value.length() > 253) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a valid Kubernetes name "
                    + "(lower-case letters, digits, '-' and '.')");
        }
        return value;
    }

    public OperatorConfig withLeaderElection(LeaderElection le) {
        return new OperatorConfig(clusterPoolIPv4PodCIDRList, clusterPoolIPv4MaskSize, kubeconfig, installCRDs, le,
                metrics, nodeGC, eventNamespace, writeConcurrency);
    }

    public OperatorConfig withMetrics(Metrics m) {
        return new OperatorConfig(clusterPoolIPv4PodCIDRList, clusterPoolIPv4MaskSize, kubeconfig, installCRDs,
                leaderElection, m, nodeGC, eventNamespace, writeConcurrency);
    }

    public OperatorConfig withNodeGC(NodeGC gc) {
        return new OperatorConfig(clusterPoolIPv4PodCIDRList, clusterPoolIPv4MaskSize, kubeconfig, installCRDs,
                leaderElection, metrics, gc, eventNamespace, writeConcurrency);
    }

    public OperatorConfig withPool(List<String> pool, int maskSize) {
        return new OperatorConfig(pool, maskSize, kubeconfig, installCRDs, leaderElection, metrics, nodeGC,
                eventNamespace, writeConcurrency);
    }

    /**
     * Lease-based leader election: only the holder allocates and collects garbage. Timing as in client-go:
     * a follower may take over {@code leaseDuration} after the last renewal; the leader gives up if it could not
     * renew for {@code renewDeadline}, which must be shorter, so two leaders never act at once.
     */
    public record LeaderElection(Boolean enabled, String leaseName, String leaseNamespace, String identity,
                                 Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

        static final LeaderElection DEFAULTS = new LeaderElection(null, null, null, null, null, null, null);

        public LeaderElection {
            enabled = enabled == null || enabled;
            leaseName = requireName("leaderElection.leaseName", leaseName == null ? "twill-operator" : leaseName);
            leaseNamespace = requireName("leaderElection.leaseNamespace",
                    leaseNamespace == null ? "kube-system" : leaseNamespace);
            identity = identity == null ? defaultIdentity() : identity;
            if (identity.isBlank()) {
                throw new IllegalArgumentException("leaderElection.identity: must not be blank");
            }
            leaseDuration = positive("leaderElection.leaseDuration", leaseDuration, Duration.ofSeconds(15));
            renewDeadline = positive("leaderElection.renewDeadline", renewDeadline, Duration.ofSeconds(10));
            retryPeriod = positive("leaderElection.retryPeriod", retryPeriod, Duration.ofSeconds(2));
            if (renewDeadline.compareTo(leaseDuration) >= 0) {
                throw new IllegalArgumentException("leaderElection.renewDeadline (" + renewDeadline
                        + ") must be shorter than leaderElection.leaseDuration (" + leaseDuration + ")");
            }
            if (retryPeriod.compareTo(renewDeadline) >= 0) {
                throw new IllegalArgumentException("leaderElection.retryPeriod (" + retryPeriod
                        + ") must be shorter than leaderElection.renewDeadline (" + renewDeadline + ")");
            }
        }

        public LeaderElection withIdentity(String id) {
            return new LeaderElection(enabled, leaseName, leaseNamespace, id, leaseDuration, renewDeadline, retryPeriod);
        }

        public LeaderElection withTiming(Duration lease, Duration renew, Duration retry) {
            return new LeaderElection(enabled, leaseName, leaseNamespace, identity, lease, renew, retry);
        }

        private static String defaultIdentity() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                try {
                    host = InetAddress.getLocalHost().getHostName();
                } catch (UnknownHostException e) {
                    host = "twill-operator";
                }
            }
            return host + "_" + UUID.randomUUID().toString().substring(0, 8);
        }
    }

    /** The Prometheus endpoint ({@code /metrics}) and {@code /healthz}; port 0 picks a free port. */
    public record Metrics(Boolean enabled, String bindAddress, Integer port) {

        static final Metrics DEFAULTS = new Metrics(null, null, null);

        public Metrics {
            enabled = enabled == null || enabled;
            bindAddress = bindAddress == null ? "0.0.0.0" : bindAddress;
            port = port == null ? 9963 : port;
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("metrics.port: " + port + " is outside 0..65535");
            }
        }
    }

    /**
     * Deletes TwillNodes whose Kubernetes Node is gone. A TwillNode must be seen without its Node in two passes
     * {@code interval} apart, and only once the Node cache has synced, before it is deleted.
     */
    public record NodeGC(Boolean enabled, Duration interval) {

        static final NodeGC DEFAULTS = new NodeGC(null, null);

        public NodeGC {
            enabled = enabled == null || enabled;
            interval = positive("nodeGC.interval", interval, Duration.ofSeconds(30));
        }
    }

    private static Duration positive(String key, Duration d, Duration dflt) {
        Duration v = d == null ? dflt : d;
        if (v.isNegative() || v.isZero()) {
            throw new IllegalArgumentException(key + ": " + v + " must be positive");
        }
        return v;
    }
}
