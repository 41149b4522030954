package io.twill.agent.k8s;

/**
 * Names of the key/value fields Twill's agent attaches to log lines (SLF4J 2 fluent API:
 * {@code log.atInfo().addKeyValue(LogFields.NODE, name).log(...)}). One list so the same thing is always called the
 * same in every log line and a log pipeline can index them.
 */
public final class LogFields {
    /** A TwillNode / Kubernetes node name. */
    public static final String NODE = "node";
    /** An underlay IPv4 address of a node. */
    public static final String NODE_IP = "nodeIP";
    /** A pod CIDR ("10.0.3.0/24"). */
    public static final String POD_CIDR = "podCIDR";
    /** Several pod CIDRs, comma separated. */
    public static final String POD_CIDRS = "podCIDRs";
    /** The Kubernetes resourceVersion of an object. */
    public static final String RESOURCE_VERSION = "resourceVersion";
    /** The name of a table the node watcher keeps in sync ("twill_tunnel", "routes"). */
    public static final String TABLE = "table";
    /** What went wrong, as a short CamelCase word ("MalformedCIDR", "Conflict"). */
    public static final String REASON = "reason";
    /** An API operation ("create", "update", "updateStatus"). */
    public static final String OPERATION = "op";
    /** HTTP status code of a failed Kubernetes API call (0 = no answer). */
    public static final String HTTP_CODE = "code";
    /** How many times an operation has been tried so far. */
    public static final String ATTEMPT = "attempt";
    /** A delay before the next try, in milliseconds. */
    public static final String DELAY_MS = "delayMs";
    /** A count of entries/nodes/objects. */
    public static final String COUNT = "count";
    /** Entries added / removed / changed by a reconciliation. */
    public static final String ADDED = "added";
    public static final String REMOVED = "removed";
    public static final String CHANGED = "changed";
    /** A duration in milliseconds. */
    public static final String DURATION_MS = "durationMs";
    /** A listen address ("127.0.0.1:9962"). */
    public static final String ADDRESS = "address";
    /** A path on disk (pin root, state dir). */
    public static final String PATH = "path";

    private LogFields() {
    }
}
