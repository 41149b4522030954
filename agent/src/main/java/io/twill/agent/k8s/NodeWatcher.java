package io.twill.agent.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.twill.api.TwillNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches every TwillNode with a Fabric8 informer and keeps the agent's node tables equal to the cluster: the
 * {@link TunnelTable} ({@code twill_tunnel}) always, and in native-routing mode also the {@link NativeRoutes}.
 *
 * <p>All table writes happen on one thread ({@code twill-node-watcher}), in the order the informer delivered the
 * events. Besides the events there is a full resync (read each table back, add what is missing, fix what differs,
 * remove what no node claims): once the informer has listed everything at start, after the watch reconnects, after a
 * table write failed (with backoff), and every {@code resyncInterval}. A TwillNode with a malformed CIDR or address is
 * logged once per resourceVersion and contributes nothing; the watcher keeps serving the others.
 *
 * <p>This node's own CIDRs go into the tunnel table (pointing at its own IP, as {@code bpf-src/src/lib/tunnel.h}
 * specifies: the datapath treats such an entry as "local") but never into native routes.
 */
public final class NodeWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeWatcher.class);
    private static final Duration WATCH_CHECK = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final String selfName;
    private final PeerReconciler reconciler;
    private final List<NodeCidrTable> tables;
    private final Duration resyncInterval;
    private final Backoff failureBackoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private final ScheduledExecutorService loop;
    private final CountDownLatch firstResync = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** name → resourceVersion of nodes already reported as invalid, so a resync does not repeat the message. */
    private final Map<String, String> reportedInvalid = new HashMap<>();
    private volatile Map<NodeCidrTable, Integer> entryCounts = Map.of();
    private volatile SharedIndexInformer<TwillNode> informer;
    private boolean wasWatching;
    private long nextFailureResyncNanos;

    /** Overlay mode: keeps only the tunnel table. */
    public static NodeWatcher overlay(KubernetesClient client, String selfName, TunnelTable tunnel,
                                      Duration resyncInterval) {
        return new NodeWatcher(client, selfName, List.of(new PeerReconciler.Target(tunnel, true)), resyncInterval);
    }

    /** Native-routing mode: the tunnel table (the datapath's "which node owns this CIDR") and kernel routes. */
    public static NodeWatcher nativeRouting(KubernetesClient client, String selfName, TunnelTable tunnel,
                                            NativeRoutes routes, Duration resyncInterval) {
        return new NodeWatcher(client, selfName, List.of(new PeerReconciler.Target(tunnel, true),
                new PeerReconciler.Target(routes, false)), resyncInterval);
    }

    NodeWatcher(KubernetesClient client, String selfName, List<PeerReconciler.Target> targets,
                Duration resyncInterval) {
        this.client = Objects.requireNonNull(client, "client");
        this.selfName = Objects.requireNonNull(selfName, "selfName");
        this.reconciler = new PeerReconciler(selfName, targets);
        this.tables = targets.stream().map(PeerReconciler.Target::table).toList();
        if (resyncInterval.isNegative() || resyncInterval.isZero()) {
            throw new IllegalArgumentException("resyncInterval must be positive, got " + resyncInterval);
        }
        this.resyncInterval = resyncInterval;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "twill-node-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the informer and returns at once; the tables follow as soon as the first list arrives. An API server
     * that is down is retried with backoff (logged), never given up on.
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("NodeWatcher already started");
        }
        SharedIndexInformer<TwillNode> inf = client.resources(TwillNode.class).runnableInformer(0);
        inf.exceptionHandler((isStarted, t) -> {
            log.atWarn().setCause(log.isDebugEnabled() ? t : null)
                    .log("TwillNode watch failed ({}); retrying with backoff", t.toString());
            return !closed.get();
        });
        inf.addEventHandler(new Handler());
        informer = inf;
        inf.start().thenRun(() -> submit(() -> {
            if (firstResync.getCount() > 0) {
                resync("initial list");
            }
        }));
        loop.scheduleWithFixedDelay(this::tick, WATCH_CHECK.toMillis(), WATCH_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        loop.scheduleWithFixedDelay(() -> {
            if (inf.hasSynced()) {
                resync("periodic");
            }
        }, resyncInterval.toMillis(), resyncInterval.toMillis(), TimeUnit.MILLISECONDS);
        log.atInfo().addKeyValue(LogFields.NODE, selfName)
                .log("Watching TwillNodes to keep {} in sync", tables.stream().map(NodeCidrTable::name).toList());
    }

    /** Waits until the informer has listed the cluster and the first full resync ran. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return firstResync.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs a full resync on the watcher's thread and waits for it (tests and twillctl-style debugging). */
    public PeerReconciler.ResyncResult resyncNow() {
        Future<PeerReconciler.ResyncResult> f = loop.submit(() -> resync("requested"));
        try {
            return f.get(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a node resync", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("node resync failed: " + e, e);
        }
    }

    /** TwillNodes in the informer's cache (valid or not, this node included). */
    public int nodeCount() {
        SharedIndexInformer<TwillNode> inf = informer;
        return inf == null ? 0 : inf.getStore().list().size();
    }

    /** Entries the watcher believes {@code table} holds (as of the last event it processed). */
    public int entryCount(NodeCidrTable table) {
        return entryCounts.getOrDefault(table, 0);
    }

    public List<NodeCidrTable> tables() {
        return tables;
    }

    /** Whether the watch is connected now. */
    public boolean isWatching() {
        SharedIndexInformer<TwillNode> inf = informer;
        return inf != null && inf.isWatching();
    }

    /** Stops the informer and the thread. The tables keep their contents: traffic must keep flowing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        SharedIndexInformer<TwillNode> inf = informer;
        if (inf != null) {
            inf.stop();
        }
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(Runnable r) {
        if (!closed.get()) {
            loop.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.error("Node watcher task failed: {}", e.toString(), e);
                }
                publishCounts();
            });
        }
    }

    /** Every second on the loop: notices a watch that came back, and retries failed writes with backoff. */
    private void tick() {
        try {
            SharedIndexInformer<TwillNode> inf = informer;
            if (inf == null || !inf.hasSynced()) {
                return;
            }
            boolean watching = inf.isWatching();
            if (firstResync.getCount() > 0) {
                resync("initial list");
            } else if (watching && !wasWatching) {
                resync("watch reconnected");
            } else if (reconciler.needsResync() && System.nanoTime() - nextFailureResyncNanos >= 0) {
                resync("retry after failure");
            }
            wasWatching = watching;
        } catch (RuntimeException e) {
            log.error("Node watcher check failed: {}", e.toString(), e);
        }
    }

    private PeerReconciler.ResyncResult resync(String why) {
        long t0 = System.nanoTime();
        List<PeerNode> peers = new ArrayList<>();
        for (TwillNode n : informer.getStore().list()) {
            peer(n).ifPresent(peers::add);
        }
        PeerReconciler.ResyncResult r = reconciler.resync(peers);
        publishCounts();
        if (reconciler.needsResync()) {
            Duration d = failureBackoff.next();
            nextFailureResyncNanos = System.nanoTime() + d.toNanos();
        } else {
            failureBackoff.reset();
        }
        boolean changedSomething = r.added() + r.changed() + r.removed() + r.failed() > 0;
        var event = changedSomething || firstResync.getCount() > 0 ? log.atInfo() : log.atDebug();
        event.addKeyValue(LogFields.COUNT, peers.size()).addKeyValue(LogFields.ADDED, r.added())
                .addKeyValue(LogFields.CHANGED, r.changed()).addKeyValue(LogFields.REMOVED, r.removed())
                .addKeyValue(LogFields.DURATION_MS, (System.nanoTime() - t0) / 1_000_000)
                .log("Node resync ({}): {} nodes with routes, {} added, {} changed, {} stale removed, {} failed",
                        why, peers.size(), r.added(), r.changed(), r.removed(), r.failed());
        if (firstResync.getCount() > 0) {
            wasWatching = informer.isWatching();
            firstResync.countDown();
        }
        return r;
    }

    /** The node as a peer, or empty (logged once per resourceVersion) when it is malformed or has nothing yet. */
    private Optional<PeerNode> peer(TwillNode n) {
        try {
            Optional<PeerNode> p = PeerNode.from(n);
            reportedInvalid.remove(n.nodeName());
            return p;
        } catch (IllegalArgumentException e) {
            String rv = n.getMetadata().getResourceVersion();
            if (!Objects.equals(reportedInvalid.put(n.nodeName(), String.valueOf(rv)), String.valueOf(rv))) {
                log.atError().addKeyValue(LogFields.NODE, n.nodeName()).addKeyValue(LogFields.RESOURCE_VERSION, rv)
                        .addKeyValue(LogFields.REASON, "MalformedTwillNode")
                        .log("Ignoring TwillNode {}: {}; no traffic is routed to it until it is fixed",
                                n.nodeName(), e.getMessage());
            }
            return Optional.empty();
        }
    }

    private void upsert(TwillNode n, boolean isNew) {
        if (firstResync.getCount() > 0) {
            return; // the initial resync reads the whole cache
        }
        Optional<PeerNode> p = peer(n);
        if (p.isPresent()) {
            if (isNew) {
                log.atInfo().addKeyValue(LogFields.NODE, n.nodeName())
                        .addKeyValue(LogFields.NODE_IP, p.get().nodeIp().getHostAddress())
                        .addKeyValue(LogFields.POD_CIDRS, p.get().podCidrs())
                        .log("Node {} at {} with pod CIDRs {}", n.nodeName(), p.get().nodeIp().getHostAddress(),
                                p.get().podCidrs());
            }
            reconciler.upsert(p.get());
        } else {
            reconciler.remove(n.nodeName());
        }
    }

    private void publishCounts() {
        Map<NodeCidrTable, Integer> m = new HashMap<>();
        for (NodeCidrTable t : tables) {
            m.put(t, reconciler.entryCount(t));
        }
        entryCounts = Map.copyOf(m);
    }

    private final class Handler implements ResourceEventHandler<TwillNode> {
        @Override
        public void onAdd(TwillNode obj) {
            submit(() -> upsert(obj, true));
        }

        @Override
        public void onUpdate(TwillNode oldObj, TwillNode newObj) {
            submit(() -> upsert(newObj, false));
        }

        @Override
        public void onDelete(TwillNode obj, boolean deletedFinalStateUnknown) {
            submit(() -> {
                if (firstResync.getCount() > 0) {
                    return;
                }
                reportedInvalid.remove(obj.nodeName());
                log.atInfo().addKeyValue(LogFields.NODE, obj.nodeName()).log("Node {} deleted", obj.nodeName());
                reconciler.remove(obj.nodeName());
            });
        }
    }
}
