package io.twill.agent.k8s;

import io.twill.agent.ipam.PodCidrSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCondition;
import io.twill.types.Ipv4Prefix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The agent's own TwillNode: {@link #register()} creates it, or brings {@code spec.addresses} up to date, without
 * ever touching {@code spec.ipam} (the operator's); {@link #awaitPodCidrs(Duration)} then waits until the operator
 * has written {@code spec.ipam.podCIDRs}, logging every so often while it waits (as Cilium's "Waiting for pod CIDR").
 *
 * <p>API errors are retried with backoff, indefinitely; a write conflict (someone else changed the object between
 * our read and write, typically the operator assigning the CIDR) is answered by reading again and re-applying.
 */
public final class NodeRegistrar implements PodCidrSource {
    private static final Logger log = LoggerFactory.getLogger(NodeRegistrar.class);
    /** How often {@link #awaitPodCidrs()} says it is still waiting. */
    public static final Duration WAIT_LOG_INTERVAL = Duration.ofSeconds(5);
    /** Conflicts retried at once before falling back to the backoff (guards against two writers fighting). */
    private static final int QUICK_CONFLICT_RETRIES = 5;

    private final KubernetesClient client;
    private final String nodeName;
    private final List<NodeAddress> addresses;
    private final ApiRetry retry;
    private final Backoff conflictBackoff;
    private volatile boolean registered;

    public NodeRegistrar(KubernetesClient client, String nodeName, Inet4Address internalIp, Backoff backoff) {
        this.client = Objects.requireNonNull(client, "client");
        if (nodeName == null || nodeName.isBlank()) {
            throw new IllegalArgumentException("node name is empty");
        }
        this.nodeName = nodeName;
        this.addresses = List.of(NodeAddress.internalIP(internalIp.getHostAddress()));
        this.retry = new ApiRetry(backoff);
        this.conflictBackoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));
    }

    public String nodeName() {
        return nodeName;
    }

    /**
     * Makes sure the TwillNode exists with this agent's addresses and returns it as stored. Blocks (retrying) while
     * the API server is unreachable or refuses.
     */
    public TwillNode register() throws InterruptedException {
        int conflicts = 0;
        while (true) {
            TwillNode current = retry.call("get", nodeName, () -> resource().get());
            try {
                if (current == null) {
                    TwillNode created = resource(TwillNode.create(nodeName, addresses)).create();
                    log.atInfo().addKeyValue(LogFields.NODE, nodeName).addKeyValue(LogFields.NODE_IP, ip())
                            .log("Created TwillNode {} with InternalIP {}", nodeName, ip());
                    registered = true;
                    return created;
                }
                if (current.getSpec().addresses().equals(addresses)) {
                    log.atInfo().addKeyValue(LogFields.NODE, nodeName).addKeyValue(LogFields.NODE_IP, ip())
                            .log("TwillNode {} already registered with InternalIP {}", nodeName, ip());
                    registered = true;
                    return current;
                }
                List<NodeAddress> before = current.getSpec().addresses();
                // Only spec.addresses changes; spec.ipam is carried over exactly as just read, and the PUT carries
                // that read's resourceVersion, so an operator write in between makes it fail with 409.
                current.setSpec(current.getSpec().withAddresses(addresses));
                TwillNode updated = resource(current).update();
                log.atInfo().addKeyValue(LogFields.NODE, nodeName).addKeyValue(LogFields.NODE_IP, ip())
                        .log("Updated TwillNode {} addresses from {} to {}", nodeName, before, addresses);
                registered = true;
                return updated;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    conflicts++;
                    log.atInfo().addKeyValue(LogFields.NODE, nodeName).addKeyValue(LogFields.ATTEMPT, conflicts)
                            .log("TwillNode {} changed while registering ({}); reading it again", nodeName,
                                    ApiRetry.message(e));
                    if (conflicts > QUICK_CONFLICT_RETRIES) {
                        Thread.sleep(conflictBackoff.next());
                    }
                } else {
                    Duration d = conflictBackoff.next();
                    ApiRetry.failed(current == null ? "create" : "update", nodeName, ++conflicts, d, e);
                    Thread.sleep(d);
                }
            }
        }
    }

    /**
     * The {@link PodCidrSource} for IPAM: registers the node (unless {@link #register()} ran already) and waits for
     * its pod CIDRs, saying so every {@link #WAIT_LOG_INTERVAL}.
     */
    @Override
    public List<Ipv4Prefix> awaitPodCidrs() throws InterruptedException {
        if (!registered) {
            register();
        }
        return awaitPodCidrs(WAIT_LOG_INTERVAL);
    }

    /**
     * Blocks until this node's TwillNode carries at least one well-formed pod CIDR and returns them. Logs every
     * {@code logEvery} while waiting, with the operator's PodCIDRAllocated condition when it says why. Re-creates the
     * TwillNode if it is deleted meanwhile.
     */
    public List<Ipv4Prefix> awaitPodCidrs(Duration logEvery) throws InterruptedException {
        OwnNodeTracker tracker = new OwnNodeTracker();
        SharedIndexInformer<TwillNode> inf = resource().runnableInformer(0);
        inf.exceptionHandler((isStarted, t) -> {
            log.atWarn().addKeyValue(LogFields.NODE, nodeName)
                    .log("Watching TwillNode {} failed ({}); retrying", nodeName, t.toString());
            return true;
        });
        inf.addEventHandler(tracker);
        long t0 = System.nanoTime();
        String reportedBadVersion = null;
        try {
            inf.start();
            while (true) {
                Seen seen = tracker.awaitChange(logEvery);
                if (seen == Seen.TIMEOUT) {
                    log.atInfo().addKeyValue(LogFields.NODE, nodeName).log("Waiting for pod CIDR of TwillNode {} "
                            + "({} s so far){}", nodeName, (System.nanoTime() - t0) / 1_000_000_000,
                            operatorSays(tracker.last()));
                    continue;
                }
                if (seen.node() == null) {
                    log.atWarn().addKeyValue(LogFields.NODE, nodeName)
                            .log("TwillNode {} was deleted while waiting for its pod CIDR; registering again",
                                    nodeName);
                    register();
                    continue;
                }
                TwillNode n = seen.node();
                List<String> raw = n.getSpec().podCIDRs();
                if (raw.isEmpty()) {
                    continue;
                }
                try {
                    List<Ipv4Prefix> cidrs = parseCidrs(raw);
                    log.atInfo().addKeyValue(LogFields.NODE, nodeName).addKeyValue(LogFields.POD_CIDRS, cidrs)
                            .log("TwillNode {} has pod CIDRs {}", nodeName, cidrs);
                    return cidrs;
                } catch (IllegalArgumentException e) {
                    String rv = n.getMetadata().getResourceVersion();
                    if (!Objects.equals(rv, reportedBadVersion)) {
                        reportedBadVersion = rv;
                        log.atError().addKeyValue(LogFields.NODE, nodeName).addKeyValue(LogFields.REASON,
                                "MalformedPodCIDR").log("TwillNode {} spec.ipam.podCIDRs {} is unusable: {}; waiting "
                                + "for the operator to fix it", nodeName, raw, e.getMessage());
                    }
                }
            }
        } finally {
            inf.stop();
        }
    }

    /** Canonical IPv4 prefixes of 1..30 bits (a pod CIDR must hold at least a network, gateway, pod, broadcast). */
    static List<Ipv4Prefix> parseCidrs(List<String> raw) {
        List<Ipv4Prefix> out = new ArrayList<>();
        for (String s : raw) {
            Ipv4Prefix c = Ipv4Prefix.parse(s.strip());
            if (c.length() == 0 || c.length() > 30) {
                throw new IllegalArgumentException("'" + s + "' is not a usable pod CIDR (prefix length must be 1..30)");
            }
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return List.copyOf(out);
    }

    private static String operatorSays(TwillNode n) {
        if (n == null) {
            return "; the TwillNode is not visible yet";
        }
        return n.getStatus().condition(TwillNodeCondition.POD_CIDR_ALLOCATED)
                .filter(c -> !c.isTrue())
                .map(c -> "; operator: " + c.reason() + ": " + c.message())
                .orElse("; is twill-operator running?");
    }

    private String ip() {
        return addresses.getFirst().ip();
    }

    private Resource<TwillNode> resource() {
        return client.resources(TwillNode.class).withName(nodeName);
    }

    private Resource<TwillNode> resource(TwillNode n) {
        return client.resources(TwillNode.class).resource(n);
    }

    /** What the waiting loop saw: a timeout, or the node's new state (null when it was deleted). */
    private record Seen(boolean timeout, TwillNode node) {
        static final Seen TIMEOUT = new Seen(true, null);
    }

    /** Remembers the latest state of the own TwillNode and wakes the waiting thread. */
    private static final class OwnNodeTracker implements ResourceEventHandler<TwillNode> {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private TwillNode last;
        private boolean deleted;
        private boolean dirty;

        @Override
        public void onAdd(TwillNode obj) {
            set(obj, false);
        }

        @Override
        public void onUpdate(TwillNode oldObj, TwillNode newObj) {
            set(newObj, false);
        }

        @Override
        public void onDelete(TwillNode obj, boolean deletedFinalStateUnknown) {
            set(obj, true);
        }

        private void set(TwillNode n, boolean isDeleted) {
            lock.lock();
            try {
                last = n;
                deleted = isDeleted;
                dirty = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        TwillNode last() {
            lock.lock();
            try {
                return deleted ? null : last;
            } finally {
                lock.unlock();
            }
        }

        /** The node after a change (node null = deleted), or {@link Seen#TIMEOUT} when nothing changed in time. */
        Seen awaitChange(Duration timeout) throws InterruptedException {
            lock.lock();
            try {
                long nanos = timeout.toNanos();
                while (!dirty) {
                    if (nanos <= 0) {
                        return Seen.TIMEOUT;
                    }
                    nanos = changed.awaitNanos(nanos);
                }
                dirty = false;
                return new Seen(false, deleted ? null : last);
            } finally {
                lock.unlock();
            }
        }
    }
}
