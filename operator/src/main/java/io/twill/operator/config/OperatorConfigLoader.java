package io.twill.operator.config;

import io.twill.daemon.ConfigLoading;
import io.twill.daemon.ConfigLoading.Flag;
import io.twill.daemon.ConfigLoading.Kind;

import java.util.List;
import java.util.Map;

/**
 * Builds {@link OperatorConfig} from, in increasing precedence: a YAML or JSON file ({@code --config FILE} or
 * {@code TWILL_OPERATOR_CONFIG}), {@code TWILL_OPERATOR_*} environment variables, and flags, through the plumbing the
 * agent's loader shares ({@link ConfigLoading}). Every flag has an environment twin: {@code --metrics-port} ↔
 * {@code TWILL_OPERATOR_METRICS_PORT}. Unknown keys, flags and {@code TWILL_OPERATOR_*} variables fail; so do values
 * of the wrong type. Durations read as {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT15S}).
 */
public final class OperatorConfigLoader {

    public static final String ENV_PREFIX = "TWILL_OPERATOR_";

    private static final List<Flag> FLAGS = List.of(
            new Flag("cluster-pool-ipv4-cidr", "clusterPoolIPv4PodCIDRList", Kind.LIST,
                    "pool prefixes, comma-separated (default 10.0.0.0/8)"),
            new Flag("cluster-pool-ipv4-mask-size", "clusterPoolIPv4MaskSize", Kind.TEXT,
                    "prefix length of each node CIDR (default 24)"),
            new Flag("kubeconfig", "kubeconfig", Kind.TEXT, "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)"),
            new Flag("install-crds", "installCRDs", Kind.BOOL, "create/update the TwillNode CRD at start (default true)"),
            new Flag("leader-elect", "leaderElection.enabled", Kind.BOOL, "run leader election (default true)"),
            new Flag("leader-election-lease-name", "leaderElection.leaseName", Kind.TEXT, "Lease name (default twill-operator)"),
            new Flag("leader-election-namespace", "leaderElection.leaseNamespace", Kind.TEXT, "Lease namespace (default kube-system)"),
            new Flag("leader-election-identity", "leaderElection.identity", Kind.TEXT, "this replica's identity (default host_random)"),
            new Flag("leader-election-lease-duration", "leaderElection.leaseDuration", Kind.TEXT, "default 15s"),
            new Flag("leader-election-renew-deadline", "leaderElection.renewDeadline", Kind.TEXT, "default 10s"),
            new Flag("leader-election-retry-period", "leaderElection.retryPeriod", Kind.TEXT, "default 2s"),
            new Flag("metrics", "metrics.enabled", Kind.BOOL, "serve /metrics and /healthz (default true)"),
            new Flag("metrics-bind-address", "metrics.bindAddress", Kind.TEXT, "default 0.0.0.0"),
            new Flag("metrics-port", "metrics.port", Kind.TEXT, "default 9963; 0 = any free port"),
            new Flag("node-gc", "nodeGC.enabled", Kind.BOOL, "delete TwillNodes whose Node is gone (default true)"),
            new Flag("node-gc-interval", "nodeGC.interval", Kind.TEXT, "time between GC passes (default 30s)"),
            new Flag("event-namespace", "eventNamespace", Kind.TEXT, "namespace for Events (default default)"),
            new Flag("write-concurrency", "writeConcurrency", Kind.TEXT, "API writes in flight (default 16)"));

    private static final ConfigLoading LOADING = new ConfigLoading("twill-operator", ENV_PREFIX, FLAGS,
            ConfigLoading.UnknownVariables.FAIL, OperatorConfigException::new);

    private OperatorConfigLoader() {
    }

    /** @throws OperatorConfigException with a message naming the source and key */
    public static OperatorConfig load(List<String> args, Map<String, String> env) {
        ConfigLoading.Sources sources = LOADING.merge(args, env);
        return LOADING.bind(sources.tree(), OperatorConfig.class, sources.file());
    }

    /** Parses a YAML or JSON document (tests and embedders). */
    public static OperatorConfig parse(String yamlOrJson) {
        return LOADING.bind(LOADING.parse(yamlOrJson, "config", false), OperatorConfig.class, null);
    }

    public static String usage() {
        return LOADING.usage();
    }
}
