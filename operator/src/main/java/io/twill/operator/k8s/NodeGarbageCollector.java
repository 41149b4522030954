package io.twill.operator.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.twill.api.TwillNode;
import io.twill.operator.metrics.OperatorMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes TwillNodes whose Kubernetes Node is gone, which frees their pod CIDRs. A TwillNode is deleted only when
 * both caches have synced and it was seen without its Node in two passes one interval apart (same UID both
 * times), so a Node that a cold informer has not delivered yet, or one that is being re-registered, is never
 * mistaken for a deleted one.
 */
final class NodeGarbageCollector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeGarbageCollector.class);

    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<TwillNode> twillNodes;
    private final TwillNodeWriter writer;
    private final OperatorMetrics metrics;
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "twill-node-gc"));
    /** name → UID of TwillNodes seen without a Node in the previous pass. */
    private final Map<String, String> suspects = new HashMap<>();

    NodeGarbageCollector(SharedIndexInformer<Node> nodes, SharedIndexInformer<TwillNode> twillNodes,
                         TwillNodeWriter writer, OperatorMetrics metrics, Duration interval) {
        this.nodes = nodes;
        this.twillNodes = twillNodes;
        this.writer = writer;
        this.metrics = metrics;
        this.interval = interval;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::passSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void passSafely() {
        try {
            pass();
        } catch (RuntimeException e) {
            log.error("Node garbage collection pass failed", e);
        }
    }

    /** One pass; package-private so tests can drive it. */
    synchronized void pass() {
        if (!nodes.hasSynced() || !twillNodes.hasSynced()) {
            log.debug("Skipping node GC: caches not synced yet");
            return;
        }
        Set<String> present = new HashSet<>(nodes.getIndexer().listKeys());
        Set<String> seen = new HashSet<>();
        for (TwillNode tn : twillNodes.getIndexer().list()) {
            String name = tn.nodeName();
            String uid = tn.getMetadata().getUid();
            seen.add(name);
            if (present.contains(name)) {
                suspects.remove(name);
            } else if (uid != null && uid.equals(suspects.get(name))) {
                suspects.remove(name);
                try {
                    if (writer.delete(name)) {
                        metrics.gcDeleted();
                        log.info("Deleted TwillNode {}: its Node has been gone for {}", name, interval);
                    }
                } catch (WriteException e) {
                    metrics.apiError("twillnode-delete");
                    log.warn("Node GC: {}", e.getMessage());
                }
            } else if (suspects.put(name, uid) == null) {
                log.info("TwillNode {} has no Node; deleting it in {} unless the Node appears", name, interval);
            }
        }
        suspects.keySet().retainAll(seen);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
