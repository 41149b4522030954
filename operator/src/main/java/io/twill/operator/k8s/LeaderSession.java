package io.twill.operator.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.twill.api.TwillNode;
import io.twill.operator.config.OperatorConfig;
import io.twill.operator.ipam.ClusterPoolAllocator;
import io.twill.operator.ipam.IpamTable;
import io.twill.operator.metrics.OperatorMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One term as leader: fresh informers (their initial LIST is made after the lease was won, so the table is built
 * from everything the previous leader wrote), a new allocation table, the IPAM controller and the node GC.
 * Closing it stops all of them; a later term starts from scratch.
 */
final class LeaderSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaderSession.class);

    private final SharedIndexInformer<TwillNode> twillNodes;
    private final SharedIndexInformer<Node> nodes;
    private final IpamController ipam;
    private final NodeGarbageCollector gc;
    private volatile String failure;
    private volatile boolean closing;

    LeaderSession(KubernetesClient client, OperatorConfig config, OperatorMetrics metrics, TwillNodeWriter writer) {
        twillNodes = client.resources(TwillNode.class).runnableInformer(0);
        IpamTable table = new IpamTable(new ClusterPoolAllocator(config.pools(), config.clusterPoolIPv4MaskSize()));
        ipam = new IpamController(twillNodes, table, writer, metrics, config.writeConcurrency());
        if (config.nodeGC().enabled()) {
            nodes = client.nodes().runnableInformer(0);
            gc = new NodeGarbageCollector(nodes, twillNodes, writer, metrics, config.nodeGC().interval());
        } else {
            nodes = null;
            gc = null;
        }
    }

    void start() {
        // Fabric8 stops an informer for good when a watch event cannot be read (e.g. an object of the wrong shape);
        // that must not go unnoticed: the replica turns unhealthy so it is restarted and the log says why.
        twillNodes.stopped().whenComplete((v, t) -> stoppedEarly("TwillNode informer", t));
        if (nodes != null) {
            nodes.stopped().whenComplete((v, t) -> stoppedEarly("Node informer", t));
        }
        CompletableFuture<Void> tn = twillNodes.start().toCompletableFuture();
        tn.whenComplete((v, t) -> {
            if (t != null) {
                fail("TwillNode informer", t);
            } else {
                ipam.start();
            }
        });
        if (nodes != null) {
            CompletableFuture<Void> n = nodes.start().toCompletableFuture();
            CompletableFuture.allOf(tn, n).whenComplete((v, t) -> {
                if (t != null) {
                    fail("Node informer", t);
                } else {
                    gc.start();
                }
            });
        }
    }

    private void stoppedEarly(String what, Throwable t) {
        if (!closing) {
            failure = what + " stopped: " + (t == null ? "watch ended" : rootMessage(t));
            log.error("{}; this replica no longer sees changes and must be restarted", failure, t);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r == t ? t.toString() : t.getMessage() + " (" + r.getMessage() + ")";
    }

    private void fail(String what, Throwable t) {
        failure = what + " failed to sync: " + t.getMessage();
        log.error("{}; this replica cannot allocate pod CIDRs", failure, t);
    }

    /** Why this term cannot work, if it cannot. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    long apiCalls() {
        return ipam.apiCalls();
    }

    @Override
    public void close() {
        closing = true;
        ipam.close();
        if (gc != null) {
            gc.close();
            nodes.close();
        }
        twillNodes.close();
    }
}
