package io.twill.operator.k8s;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCondition;
import io.twill.operator.ipam.IpamTable;
import io.twill.operator.ipam.IpamTable.Assign;
import io.twill.operator.ipam.IpamTable.Confirmed;
import io.twill.operator.ipam.IpamTable.Exhausted;
import io.twill.operator.ipam.IpamTable.Refused;
import io.twill.operator.ipam.IpamTable.Released;
import io.twill.operator.ipam.PodCidrAllocator.PoolUsage;
import io.twill.operator.metrics.OperatorMetrics;
import io.twill.types.Ipv4Prefix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Cluster-pool IPAM against the API: a level-triggered controller over the TwillNode informer. Every event only
 * queues the node's name; one worker thread reconciles names one at a time against the {@link IpamTable} (which
 * it alone touches) and hands the resulting writes to a small pool of writer threads. A node with a write in
 * flight is marked dirty and reconciled again when the write ends, so decisions never race their own writes.
 *
 * <p>Started only on the leader, after its informer has synced: the first task rebuilds the table from every
 * existing object (those that already carry CIDRs first, oldest first) before any name in the queue is looked at,
 * so nothing already on an object is handed out again.
 */
final class IpamController implements AutoCloseable {

    private record Expected(List<String> podCidrs, TwillNodeCondition condition) {
    }

    private static final Logger log = LoggerFactory.getLogger(IpamController.class);

    private final SharedIndexInformer<TwillNode> informer;
    private final IpamTable table;
    private final TwillNodeWriter writer;
    private final OperatorMetrics metrics;
    private final ScheduledExecutorService worker;
    private final ExecutorService writers;
    private final Object queueLock = new Object();
    private final Set<String> queued = new LinkedHashSet<>();
    private boolean started;
    // touched by the worker thread only
    private final Set<String> writing = new HashSet<>();
    private final Set<String> dirty = new HashSet<>();
    /** What this controller wrote and the cache has not shown yet (the informer lags behind our own writes). */
    private final Map<String, Expected> expected = new HashMap<>();
    private final AtomicLong apiCalls = new AtomicLong();
    private volatile boolean closed;

    IpamController(SharedIndexInformer<TwillNode> informer, IpamTable table, TwillNodeWriter writer,
                   OperatorMetrics metrics, int writeConcurrency) {
        this.informer = informer;
        this.table = table;
        this.writer = writer;
        this.metrics = metrics;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "twill-ipam"));
        AtomicInteger n = new AtomicInteger();
        this.writers = Executors.newFixedThreadPool(writeConcurrency,
                r -> new Thread(r, "twill-ipam-write-" + n.incrementAndGet()));
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(TwillNode obj) {
                enqueue(obj.nodeName());
            }

            @Override
            public void onUpdate(TwillNode oldObj, TwillNode newObj) {
                enqueue(newObj.nodeName());
            }

            @Override
            public void onDelete(TwillNode obj, boolean deletedFinalStateUnknown) {
                enqueue(obj.nodeName());
            }
        });
    }

    /** Call once the informer has synced: rebuilds the table, then starts working the queue. */
    void start() {
        submit(() -> {
            rebuild();
            synchronized (queueLock) {
                started = true;
                for (String name : queued) {
                    submit(() -> work(name));
                }
            }
        });
    }

    void enqueue(String name) {
        if (name == null || closed) {
            return;
        }
        synchronized (queueLock) {
            if (queued.add(name) && started) {
                submit(() -> work(name));
            }
        }
    }

    /** API calls this controller made (writes and the reads their retries needed). */
    long apiCalls() {
        return apiCalls.get();
    }

    private void work(String name) {
        synchronized (queueLock) {
            queued.remove(name);
        }
        try {
            reconcile(name);
        } catch (RuntimeException e) {
            log.error("Reconciling TwillNode {} failed; retrying in 1 s", name, e);
            later(name, 1000);
        }
    }

    private void rebuild() {
        List<TwillNode> all = informer.getIndexer().list().stream()
                .sorted(Comparator.comparing((TwillNode n) -> String.valueOf(n.getMetadata().getCreationTimestamp()))
                        .thenComparing(TwillNode::nodeName))
                .toList();
        int adopted = 0;
        for (TwillNode n : all) {
            if (!n.getSpec().podCIDRs().isEmpty()) {
                reconcile(n.nodeName());
                adopted += table.cidrsOf(n.nodeName()).isPresent() ? 1 : 0;
            }
        }
        long waiting = all.stream().filter(n -> n.getSpec().podCIDRs().isEmpty()).count();
        log.info("Rebuilt the pod CIDR table from {} TwillNodes: {} keep their CIDRs, {} refused, {} need one; pools {}",
                all.size(), adopted, table.refused().size(), waiting, describe(table.usage()));
        for (TwillNode n : all) {
            if (n.getSpec().podCIDRs().isEmpty()) {
                enqueue(n.nodeName());
            }
        }
    }

    private void reconcile(String name) {
        TwillNode node = informer.getIndexer().getByKey(name);
        long freeBefore = free();
        if (node == null || node.getMetadata().getDeletionTimestamp() != null) {
            expected.remove(name);
            Released r = table.forget(name);
            if (!r.cidrs().isEmpty()) {
                metrics.released(r.cidrs().size());
                log.info("Released {} of deleted TwillNode {}", r.cidrs(), name);
            }
        } else {
            decide(node);
        }
        metrics.pool(table.usage(), table.pending().size(), table.refused().size());
        if (free() > freeBefore) {
            Set<String> waiting = new LinkedHashSet<>(table.pending());
            waiting.addAll(table.refused());
            waiting.forEach(this::enqueue);
        }
    }

    private void decide(TwillNode node) {
        String name = node.nodeName();
        IpamTable.Decision d = table.observe(name, node.getSpec().podCIDRs());
        List<String> specWrite = null;
        TwillNodeCondition want;
        Instant now = Instant.now();
        switch (d) {
            case Assign a -> {
                if (a.fresh()) {
                    metrics.allocated(a.cidrs().size());
                    log.info("Allocated {} to TwillNode {}", a.cidrs(), name);
                }
                specWrite = a.cidrs().stream().map(Ipv4Prefix::toString).toList();
                want = allocated(a.cidrs(), now);
            }
            case Confirmed c -> {
                if (c.adopted()) {
                    log.info("TwillNode {} keeps {}", name, c.cidrs());
                }
                want = allocated(c.cidrs(), now);
            }
            case Exhausted e -> {
                if (e.newly()) {
                    metrics.exhausted();
                    log.warn("Cluster pool exhausted: no free /{} for TwillNode {}; pools {}", maskSize(), name,
                            describe(table.usage()));
                }
                want = TwillNodeCondition.of(TwillNodeCondition.POD_CIDR_ALLOCATED, false,
                        TwillNodeCondition.REASON_EXHAUSTED, "no free /" + maskSize() + " left in clusterPoolIPv4PodCIDRList "
                                + describe(table.usage()) + "; waiting for a node to be deleted or the pool to grow", now);
            }
            case Refused r -> {
                if (r.newly()) {
                    metrics.refused(r.refusal().reason());
                    log.warn("TwillNode {}: {} ({}); not reusing it", name, r.refusal().message(), r.refusal().reason());
                }
                want = TwillNodeCondition.of(TwillNodeCondition.POD_CIDR_ALLOCATED, false, r.refusal().reason(),
                        r.refusal().message() + "; fix or clear spec.ipam.podCIDRs", now);
            }
            case Released r -> throw new IllegalStateException("observe never releases a node: " + r);
        }
        TwillNodeCondition have = node.getStatus().condition(TwillNodeCondition.POD_CIDR_ALLOCATED).orElse(null);
        if (want.isTrue() && have == null) {
            // Success is written as the CIDR in the spec; the condition only appears when something went wrong,
            // and turns True when it is resolved. Saves one status write per node (as Cilium's operator does).
            want = null;
        }
        Expected exp = expected.get(name);
        if (exp != null && specWrite == null && !node.getSpec().podCIDRs().isEmpty()
                && (want == null ? have == null : want.sameAs(have))) {
            expected.remove(name); // our last write is visible now; any later difference is someone else's
            exp = null;
        }
        if (exp != null && specWrite != null && specWrite.equals(exp.podCidrs())) {
            specWrite = null; // written already; the cache still shows the older object
        }
        boolean statusDone = want == null || want.sameAs(have) || (exp != null && want.sameAs(exp.condition()));
        if (statusDone) {
            want = null;
        }
        if (specWrite == null && want == null) {
            return;
        }
        if (!writing.add(name)) {
            dirty.add(name);
            return;
        }
        List<String> podCidrs = specWrite;
        TwillNodeCondition condition = want;
        try {
            writers.execute(() -> write(node, podCidrs, condition));
        } catch (RejectedExecutionException e) {
            writing.remove(name);
        }
    }

    private void write(TwillNode seen, List<String> podCidrs, TwillNodeCondition condition) {
        String name = seen.nodeName();
        WriteException failure = null;
        try {
            apiCalls.addAndGet(writer.apply(seen, podCidrs, condition));
        } catch (WriteException e) {
            failure = e;
            apiCalls.incrementAndGet();
        } catch (RuntimeException e) {
            failure = new WriteException(WriteException.Kind.FAILED, "writing TwillNode " + name + ": " + e, e);
        }
        WriteException f = failure;
        submit(() -> afterWrite(name, podCidrs, condition, f));
    }

    private void afterWrite(String name, List<String> podCidrs, TwillNodeCondition condition, WriteException failure) {
        writing.remove(name);
        boolean again = dirty.remove(name);
        if (failure == null) {
            Expected old = expected.get(name);
            expected.put(name, new Expected(podCidrs != null ? podCidrs : old == null ? null : old.podCidrs(), condition));
            if (again) {
                enqueue(name);
            }
            return;
        }
        switch (failure.kind()) {
            // the cache has not caught up with the object yet: look again once it has
            case CONFLICT -> later(name, 200);
            case GONE -> enqueue(name);
            case FAILED -> {
                metrics.apiError("twillnode-write");
                log.warn("{}; retrying in 2 s", failure.getMessage());
                later(name, 2000);
            }
        }
    }

    private void later(String name, long millis) {
        try {
            worker.schedule(() -> enqueue(name), millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void submit(Runnable r) {
        try {
            worker.execute(r);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private TwillNodeCondition allocated(List<Ipv4Prefix> cidrs, Instant now) {
        String list = cidrs.stream().map(Ipv4Prefix::toString).collect(Collectors.joining(", "));
        return TwillNodeCondition.of(TwillNodeCondition.POD_CIDR_ALLOCATED, true, TwillNodeCondition.REASON_ALLOCATED,
                list + " from the cluster pool", now);
    }

    private int maskSize() {
        return table.maskSize();
    }

    private long free() {
        return table.usage().stream().mapToLong(PoolUsage::free).sum();
    }

    private static String describe(List<PoolUsage> usage) {
        return usage.stream().map(u -> u.pool() + " " + u.used() + "/" + u.size() + " used")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
        writers.shutdownNow();
        try {
            if (!writers.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("TwillNode writes still running after 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
