package io.twill.agent.k8s;

import io.twill.types.Ipv4Prefix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Keeps one or more {@link NodeCidrTable}s equal to "pod CIDR → node IP" for a set of {@link PeerNode}s. Pure logic
 * with no Kubernetes in it: the {@link NodeWatcher} feeds it informer events ({@link #upsert}, {@link #remove}) and
 * periodic full resyncs ({@link #resync}).
 *
 * <p>Incremental changes touch only the CIDRs of the node that changed, and compare against what this class wrote
 * last (no reads of the table per event). A resync reads each table back and removes what nobody claims (stale
 * entries left by a node deleted while the agent was down, or by hand). When two nodes claim the same CIDR (an
 * operator mistake, or a CIDR moving between nodes with events out of order) the older node (creationTimestamp,
 * then name) wins and a warning names both; when it goes, the other takes over.
 *
 * <p>Not thread-safe: one thread (the watcher's) calls everything. A table failure is logged with the entry and
 * remembered ({@link #needsResync()}); the next resync repairs it.
 */
final class PeerReconciler {
    private static final Logger log = LoggerFactory.getLogger(PeerReconciler.class);

    private static final Comparator<PeerNode> PRECEDENCE =
            Comparator.comparing(PeerNode::created).thenComparing(PeerNode::name);

    /** A table and whether this node's own CIDRs belong in it. */
    record Target(NodeCidrTable table, boolean includeSelf) {
        Target {
            Objects.requireNonNull(table, "table");
        }
    }

    /** Counts of one {@link #resync}: entries written, removed as stale, and failures. */
    record ResyncResult(int added, int changed, int removed, int failed) {
    }

    private static final class TargetState {
        final Target target;
        /** What this class believes the table holds (what it wrote last, or read at the last resync). */
        final Map<Ipv4Prefix, Inet4Address> applied = new HashMap<>();

        TargetState(Target target) {
            this.target = target;
        }
    }

    private final String selfName;
    private final List<TargetState> targets;
    private final Map<String, PeerNode> nodes = new HashMap<>();
    private final Map<Ipv4Prefix, Set<String>> claims = new HashMap<>();
    private final Map<Ipv4Prefix, Set<String>> reportedConflicts = new HashMap<>();
    private boolean dirty;

    PeerReconciler(String selfName, List<Target> targets) {
        this.selfName = Objects.requireNonNull(selfName, "selfName");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("at least one table to keep in sync");
        }
        this.targets = targets.stream().map(TargetState::new).toList();
    }

    /** A node appeared or changed. */
    void upsert(PeerNode node) {
        PeerNode old = nodes.put(node.name(), node);
        Set<Ipv4Prefix> affected = new HashSet<>(node.podCidrs());
        if (old != null) {
            affected.addAll(old.podCidrs());
            old.podCidrs().forEach(c -> unclaim(c, old.name()));
        }
        node.podCidrs().forEach(c -> claims.computeIfAbsent(c, k -> new HashSet<>()).add(node.name()));
        affected.forEach(this::apply);
    }

    /** A node went away (or became invalid): its CIDRs leave the tables unless another node claims them. */
    void remove(String nodeName) {
        PeerNode old = nodes.remove(nodeName);
        if (old == null) {
            return;
        }
        old.podCidrs().forEach(c -> unclaim(c, nodeName));
        old.podCidrs().forEach(this::apply);
    }

    /**
     * Replaces the known nodes with {@code all} and makes every table equal to them, reading each table back first.
     * Returns the sum over all tables.
     */
    ResyncResult resync(Collection<PeerNode> all) {
        nodes.clear();
        claims.clear();
        for (PeerNode n : all) {
            nodes.put(n.name(), n);
            n.podCidrs().forEach(c -> claims.computeIfAbsent(c, k -> new HashSet<>()).add(n.name()));
        }
        reportedConflicts.keySet().retainAll(claims.keySet());
        dirty = false;
        int added = 0;
        int changed = 0;
        int removed = 0;
        int failed = 0;
        for (TargetState t : targets) {
            NodeCidrTable table = t.target.table();
            Map<Ipv4Prefix, Inet4Address> actual;
            try {
                actual = new HashMap<>(table.entries());
            } catch (RuntimeException e) {
                log.atError().addKeyValue(LogFields.TABLE, table.name()).setCause(e)
                        .log("Cannot read {} for resync: {}", table.name(), e.toString());
                dirty = true;
                failed++;
                continue;
            }
            t.applied.clear();
            t.applied.putAll(actual);
            Map<Ipv4Prefix, Inet4Address> want = desired(t.target);
            for (Ipv4Prefix stale : new ArrayList<>(actual.keySet())) {
                if (!want.containsKey(stale)) {
                    if (write(t, stale, null)) {
                        removed++;
                    } else {
                        failed++;
                    }
                }
            }
            for (Map.Entry<Ipv4Prefix, Inet4Address> e : want.entrySet()) {
                Inet4Address have = actual.get(e.getKey());
                if (e.getValue().equals(have)) {
                    continue;
                }
                if (write(t, e.getKey(), e.getValue())) {
                    if (have == null) {
                        added++;
                    } else {
                        changed++;
                    }
                } else {
                    failed++;
                }
            }
        }
        return new ResyncResult(added, changed, removed, failed);
    }

    /** True when a table write or read failed since the last resync. */
    boolean needsResync() {
        return dirty;
    }

    int nodeCount() {
        return nodes.size();
    }

    /** Entries this class believes {@code table} holds. */
    int entryCount(NodeCidrTable table) {
        return targets.stream().filter(t -> t.target.table() == table).mapToInt(t -> t.applied.size()).sum();
    }

    /** What {@code target} should hold for the current nodes, sorted by CIDR. */
    Map<Ipv4Prefix, Inet4Address> desired(Target target) {
        Map<Ipv4Prefix, Inet4Address> want = new TreeMap<>();
        for (Ipv4Prefix c : claims.keySet()) {
            winner(c).filter(w -> target.includeSelf() || !w.name().equals(selfName))
                    .ifPresent(w -> want.put(c, w.nodeIp()));
        }
        return want;
    }

    private void unclaim(Ipv4Prefix cidr, String name) {
        Set<String> s = claims.get(cidr);
        if (s != null) {
            s.remove(name);
            if (s.isEmpty()) {
                claims.remove(cidr);
                reportedConflicts.remove(cidr);
            }
        }
    }

    private Optional<PeerNode> winner(Ipv4Prefix cidr) {
        Set<String> names = claims.get(cidr);
        if (names == null || names.isEmpty()) {
            return Optional.empty();
        }
        TreeSet<PeerNode> sorted = new TreeSet<>(PRECEDENCE);
        names.forEach(n -> sorted.add(nodes.get(n)));
        if (sorted.size() > 1 && !names.equals(reportedConflicts.get(cidr))) {
            reportedConflicts.put(cidr, Set.copyOf(names));
            log.atWarn().addKeyValue(LogFields.POD_CIDR, cidr).addKeyValue(LogFields.REASON, "CIDRConflict")
                    .log("Pod CIDR {} is claimed by several TwillNodes {}; routing it to the oldest, {}, until the "
                            + "conflict is resolved", cidr, sorted.stream().map(PeerNode::name).toList(),
                            sorted.first().name());
        }
        return Optional.of(sorted.first());
    }

    private void apply(Ipv4Prefix cidr) {
        Optional<PeerNode> w = winner(cidr);
        for (TargetState t : targets) {
            Inet4Address want = w.filter(n -> t.target.includeSelf() || !n.name().equals(selfName))
                    .map(PeerNode::nodeIp).orElse(null);
            if (!Objects.equals(want, t.applied.get(cidr))) {
                write(t, cidr, want);
            }
        }
    }

    /** Puts (ip != null) or removes one entry; false (logged, table marked dirty) on failure. */
    private boolean write(TargetState t, Ipv4Prefix cidr, Inet4Address ip) {
        NodeCidrTable table = t.target.table();
        try {
            if (ip == null) {
                table.remove(cidr);
                t.applied.remove(cidr);
            } else {
                table.put(cidr, ip);
                t.applied.put(cidr, ip);
            }
            return true;
        } catch (RuntimeException e) {
            dirty = true;
            log.atError().addKeyValue(LogFields.TABLE, table.name()).addKeyValue(LogFields.POD_CIDR, cidr)
                    .addKeyValue(LogFields.NODE_IP, ip == null ? null : ip.getHostAddress()).setCause(e)
                    .log("Cannot {} {} in {}: {}; will retry at the next resync", ip == null ? "remove" : "set",
                            ip == null ? cidr : cidr + " -> " + ip.getHostAddress(), table.name(), e.toString());
            return false;
        }
    }
}
