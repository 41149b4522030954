package io.twill.operator.ipam;

import io.twill.api.TwillNodeCondition;

import io.twill.types.Ipv4Prefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which node holds which pod CIDRs, and which nodes wait or are refused: the operator's allocation table, pure
 * Java over a {@link PodCidrAllocator}. The IPAM controller feeds it what each TwillNode's spec currently says
 * ({@link #observe}) or that the node is gone ({@link #forget}); the table decides and the controller writes.
 *
 * <p>Rules: CIDRs already on an object are adopted before anything new is allocated (the controller observes
 * nodes that carry CIDRs first after a restart); a CIDR that is malformed, of another size, outside the pool or
 * held by another node is refused and reported, never reused; an empty spec gets the next free CIDR, or the node
 * waits in {@link #pending()} until one is released. Not thread-safe: one worker thread owns it.
 */
public final class IpamTable {

    private final PodCidrAllocator allocator;
    private final Map<String, List<Ipv4Prefix>> owned = new HashMap<>();
    private final Map<Ipv4Prefix, String> owners = new HashMap<>();
    private final Set<String> pending = new LinkedHashSet<>();
    private final Map<String, Refusal> refused = new HashMap<>();

    public IpamTable(PodCidrAllocator allocator) {
        this.allocator = allocator;
    }

    /** Why a node's own CIDRs are not accepted: a condition reason from {@link TwillNodeCondition} and a message. */
    public record Refusal(String reason, String message) {
    }

    /** What the controller should make true on the object. */
    public sealed interface Decision {
    }

    /** spec.ipam.podCIDRs must equal {@code cidrs}: {@code fresh} when they were allocated just now. */
    public record Assign(List<Ipv4Prefix> cidrs, boolean fresh) implements Decision {
    }

    /** spec.ipam.podCIDRs already equals the table; {@code adopted} when the table learned them just now. */
    public record Confirmed(List<Ipv4Prefix> cidrs, boolean adopted) implements Decision {
    }

    /** No free CIDR; {@code newly} when the node was not already waiting. */
    public record Exhausted(boolean newly) implements Decision {
    }

    /** The node's CIDRs are refused; {@code newly} when the refusal is new or changed. */
    public record Refused(Refusal refusal, boolean newly) implements Decision {
    }

    /** The node is gone; its CIDRs (possibly none) are free again. */
    public record Released(List<Ipv4Prefix> cidrs) implements Decision {
    }

    /** The node exists; {@code specCidrs} is its spec.ipam.podCIDRs as read from the API (may be malformed). */
    public Decision observe(String node, List<String> specCidrs) {
        List<Ipv4Prefix> mine = owned.get(node);
        if (specCidrs.isEmpty()) {
            refused.remove(node);
            if (mine != null) {
                return new Assign(mine, false);
            }
            Optional<Ipv4Prefix> next = allocator.allocate();
            if (next.isEmpty()) {
                return new Exhausted(pending.add(node));
            }
            pending.remove(node);
            take(node, List.of(next.get()));
            return new Assign(List.of(next.get()), true);
        }
        pending.remove(node);
        List<Ipv4Prefix> parsed = new ArrayList<>(specCidrs.size());
        Refusal refusal = parse(specCidrs, parsed);
        if (refusal == null && mine != null && Set.copyOf(mine).equals(Set.copyOf(parsed)) && mine.size() == parsed.size()) {
            return new Confirmed(mine, false);
        }
        // The object names other CIDRs than the table: the object wins, so what this node held is freed first.
        if (mine != null) {
            giveBack(node);
        }
        if (refusal == null) {
            refusal = checkFree(node, parsed);
        }
        if (refusal != null) {
            Refusal old = refused.put(node, refusal);
            return new Refused(refusal, !refusal.equals(old));
        }
        for (Ipv4Prefix c : parsed) {
            if (allocator.occupy(c) != PodCidrAllocator.Occupancy.OCCUPIED) {
                throw new IllegalStateException("allocator and owner index disagree about " + c);
            }
        }
        refused.remove(node);
        take(node, parsed);
        return new Confirmed(List.copyOf(parsed), true);
    }

    /** The node's TwillNode is gone. */
    public Released forget(String node) {
        pending.remove(node);
        refused.remove(node);
        return new Released(owned.containsKey(node) ? giveBack(node) : List.of());
    }

    private Refusal parse(List<String> specCidrs, List<Ipv4Prefix> out) {
        for (String s : specCidrs) {
            Ipv4Prefix c;
            try {
                c = Ipv4Prefix.parse(s);
            } catch (IllegalArgumentException e) {
                return new Refusal(TwillNodeCondition.REASON_INVALID, "spec.ipam.podCIDRs: " + e.getMessage());
            }
            if (c.length() != allocator.maskSize()) {
                return new Refusal(TwillNodeCondition.REASON_INVALID, "spec.ipam.podCIDRs: " + c + " is a /" + c.length()
                        + " but clusterPoolIPv4MaskSize is /" + allocator.maskSize());
            }
            if (out.contains(c)) {
                return new Refusal(TwillNodeCondition.REASON_INVALID, "spec.ipam.podCIDRs lists " + c + " twice");
            }
            out.add(c);
        }
        return null;
    }

    private Refusal checkFree(String node, List<Ipv4Prefix> cidrs) {
        for (Ipv4Prefix c : cidrs) {
            String owner = owners.get(c);
            if (owner != null && !owner.equals(node)) {
                return new Refusal(TwillNodeCondition.REASON_CONFLICT, "spec.ipam.podCIDRs: " + c
                        + " is already allocated to node " + owner);
            }
            if (allocator.usage().stream().noneMatch(u -> u.pool().contains(c))) {
                return new Refusal(TwillNodeCondition.REASON_OUT_OF_POOL, "spec.ipam.podCIDRs: " + c
                        + " is outside clusterPoolIPv4PodCIDRList " + pools());
            }
        }
        return null;
    }

    private void take(String node, List<Ipv4Prefix> cidrs) {
        owned.put(node, List.copyOf(cidrs));
        for (Ipv4Prefix c : cidrs) {
            owners.put(c, node);
        }
    }

    private List<Ipv4Prefix> giveBack(String node) {
        List<Ipv4Prefix> cidrs = owned.remove(node);
        for (Ipv4Prefix c : cidrs) {
            owners.remove(c);
            if (!allocator.release(c)) {
                throw new IllegalStateException(c + " of node " + node + " was not allocated");
            }
        }
        return cidrs;
    }

    /** The condition {@code PodCIDRAllocated} the node's object should carry now, or empty when the table has no view. */
    public Optional<Refusal> refusal(String node) {
        return Optional.ofNullable(refused.get(node));
    }

    public Optional<List<Ipv4Prefix>> cidrsOf(String node) {
        return Optional.ofNullable(owned.get(node));
    }

    public boolean isPending(String node) {
        return pending.contains(node);
    }

    /** Nodes waiting for a free CIDR, oldest first. */
    public Set<String> pending() {
        return Set.copyOf(pending);
    }

    /** Nodes whose own CIDRs were refused (they may become acceptable when another node releases a CIDR). */
    public Set<String> refused() {
        return new HashSet<>(refused.keySet());
    }

    public Map<String, List<Ipv4Prefix>> allocations() {
        return Map.copyOf(owned);
    }

    public int maskSize() {
        return allocator.maskSize();
    }

    public List<PodCidrAllocator.PoolUsage> usage() {
        return allocator.usage();
    }

    public String pools() {
        return allocator.usage().stream().map(u -> u.pool().toString()).collect(Collectors.joining(", ", "[", "]"));
    }
}
