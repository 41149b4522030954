package io.twill.agent.ipam;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Pod address allocation from the node's pod CIDRs. In every CIDR the network address, the broadcast address
 * and the gateway (network + 1) are never handed out. Allocation is next-fit from the last address handed out,
 * so a just-released address is not reused at once (stale conntrack/ARP entries in peers then refer to nobody).
 *
 * <p>Thread-safe. Memory is the source of truth while running; every change is persisted through the
 * {@link IpamStore} before the call returns (the address is marked taken first, so two concurrent calls can never
 * get the same address; a failed write un-marks it). Allocations read back at start that lie outside the current
 * CIDRs (the pod CIDR changed) stay held until released.
 */
public final class Ipam {
    private static final Logger log = LoggerFactory.getLogger(Ipam.class);

    private final IpamStore store;
    private final Clock clock;
    private final List<Pool> pools;
    /** Every held address, including foreign ones and ones with unknown owners. */
    private final Map<Integer, IpAllocation> byAddress = new HashMap<>();
    private int nextPool;

    /** One pod CIDR with its bitmap (bit i = address network+i is taken or reserved). */
    private static final class Pool {
        final Ipv4Prefix cidr;
        final BitSet taken;
        final int size;
        final int capacity;
        int used;
        int cursor;

        Pool(Ipv4Prefix cidr) {
            this.cidr = cidr;
            this.size = (int) cidr.size();
            this.taken = new BitSet(size);
            taken.set(0);            // network
            taken.set(1);            // gateway
            taken.set(size - 1);     // broadcast
            this.capacity = size - 3;
            this.cursor = 2;
        }

        boolean reserved(int offset) {
            return offset == 0 || offset == 1 || offset == size - 1;
        }
    }

    private Ipam(IpamStore store, List<Ipv4Prefix> cidrs, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.pools = cidrs.stream().map(Pool::new).toList();
    }

    /**
     * Opens the allocator over {@code cidrs}, taking back every allocation the store holds.
     *
     * @throws IpamException when a CIDR is too small for pods or two overlap
     */
    public static Ipam open(IpamStore store, List<Ipv4Prefix> cidrs, Clock clock) {
        Objects.requireNonNull(store, "store");
        if (cidrs.isEmpty()) throw new IpamException("no pod CIDR to allocate from");
        for (int i = 0; i < cidrs.size(); i++) {
            Ipv4Prefix c = cidrs.get(i);
            if (c.length() > 30) {
                throw new IpamException("pod CIDR " + c + " is too small: at least a /30 is needed (network, gateway, "
                        + "one pod, broadcast)");
            }
            if (c.length() < 8) {
                throw new IpamException("pod CIDR " + c + " is too large for a node (at most a /8)");
            }
            for (int j = 0; j < i; j++) {
                if (c.overlaps(cidrs.get(j))) throw new IpamException("pod CIDRs " + c + " and " + cidrs.get(j) + " overlap");
            }
        }
        Ipam ipam = new Ipam(store, List.copyOf(cidrs), clock);
        ipam.restore(store.load());
        return ipam;
    }

    public static Ipam open(IpamStore store, List<Ipv4Prefix> cidrs) {
        return open(store, cidrs, Clock.systemUTC());
    }

    private synchronized void restore(IpamStore.Loaded loaded) {
        for (IpAllocation a : loaded.allocations()) hold(a);
        for (Inet4Address ip : loaded.unreadable()) hold(new IpAllocation(ip, IpamOwner.UNKNOWN, clock.instant()));
        if (!byAddress.isEmpty()) log.info("IPAM restored {} allocations from the state dir", byAddress.size());
    }

    private void hold(IpAllocation a) {
        int addr = a.address();
        if (byAddress.containsKey(addr)) return;
        Pool p = poolOf(addr);
        if (p != null) {
            int off = addr - p.cidr.network();
            if (p.reserved(off)) {
                log.warn("IPAM record for {} holds a reserved address of {} (network, gateway or broadcast); kept until released",
                        a.ip().getHostAddress(), p.cidr);
            } else {
                p.taken.set(off);
                p.used++;
            }
        } else {
            log.warn("IPAM record {} is outside the pod CIDRs {}; kept until released", a, cidrs());
        }
        byAddress.put(addr, a);
    }

    public List<Ipv4Prefix> cidrs() {
        return pools.stream().map(p -> p.cidr).toList();
    }

    /** The gateway address of the pod CIDR that holds {@code ip} (its network address + 1). */
    public Inet4Address gatewayFor(Inet4Address ip) {
        Pool p = poolOf(Ipv4.toInt(ip));
        if (p == null) throw new IpamException(ip.getHostAddress() + " is not in any pod CIDR " + cidrs());
        return Ipv4.fromInt(p.cidr.network() + 1);
    }

    /** The pod CIDR holding {@code ip}. */
    public Optional<Ipv4Prefix> cidrOf(Inet4Address ip) {
        Pool p = poolOf(Ipv4.toInt(ip));
        return p == null ? Optional.empty() : Optional.of(p.cidr);
    }

    private Pool poolOf(int addr) {
        for (Pool p : pools) if (p.cidr.contains(addr)) return p;
        return null;
    }

    /**
     * Allocates the next free address for {@code owner} and persists it.
     *
     * @throws IpamExhaustedException when every usable address is taken
     */
    public IpAllocation allocate(IpamOwner owner) {
        Objects.requireNonNull(owner, "owner");
        IpAllocation a;
        synchronized (this) {
            a = null;
            for (int i = 0; i < pools.size() && a == null; i++) {
                int pi = (nextPool + i) % pools.size();
                Pool p = pools.get(pi);
                if (p.used >= p.capacity) continue;
                int off = p.taken.nextClearBit(p.cursor);
                if (off >= p.size) off = p.taken.nextClearBit(0);
                if (off >= p.size) continue; // cannot happen while used < capacity
                p.taken.set(off);
                p.used++;
                p.cursor = off + 1;
                nextPool = pi;
                a = new IpAllocation(Ipv4.fromInt(p.cidr.network() + off), owner, clock.instant());
                byAddress.put(a.address(), a);
            }
            if (a == null) throw new IpamExhaustedException(cidrs(), pools.stream().mapToInt(p -> p.used).sum());
        }
        persist(a);
        return a;
    }

    /**
     * Allocates exactly {@code ip} (a static address asked for by the runtime, e.g. podman's {@code --ip}).
     *
     * @throws IpamException when it is outside the pod CIDRs, reserved, or held by someone else
     */
    public IpAllocation allocate(Inet4Address ip, IpamOwner owner) {
        Objects.requireNonNull(owner, "owner");
        int addr = Ipv4.toInt(ip);
        IpAllocation a;
        synchronized (this) {
            Pool p = poolOf(addr);
            if (p == null) throw new IpamException("requested address " + ip.getHostAddress() + " is not in this node's pod CIDRs " + cidrs());
            int off = addr - p.cidr.network();
            if (p.reserved(off)) {
                throw new IpamException("requested address " + ip.getHostAddress() + " is reserved in " + p.cidr
                        + " (network, gateway or broadcast)");
            }
            IpAllocation held = byAddress.get(addr);
            if (held != null) throw new IpamException("requested address " + ip.getHostAddress() + " is already allocated to " + held.owner());
            p.taken.set(off);
            p.used++;
            a = new IpAllocation(ip, owner, clock.instant());
            byAddress.put(addr, a);
        }
        persist(a);
        return a;
    }

    private void persist(IpAllocation a) {
        try {
            store.save(a);
        } catch (RuntimeException e) {
            synchronized (this) {
                forget(a.address());
            }
            throw e instanceof IpamException ie ? ie : new IpamException("cannot persist allocation of " + a.ip().getHostAddress() + ": " + e, e);
        }
    }

    /** Releases {@code ip}; false when it was not allocated. The record is deleted before the address is free again. */
    public boolean release(Inet4Address ip) {
        int addr = Ipv4.toInt(ip);
        synchronized (this) {
            if (!byAddress.containsKey(addr)) {
                store.remove(ip); // a record nobody holds in memory should not exist, but must not survive either
                return false;
            }
        }
        store.remove(ip);
        synchronized (this) {
            return forget(addr);
        }
    }

    private boolean forget(int addr) {
        IpAllocation a = byAddress.remove(addr);
        if (a == null) return false;
        Pool p = poolOf(addr);
        if (p != null) {
            int off = addr - p.cidr.network();
            if (!p.reserved(off) && p.taken.get(off)) {
                p.taken.clear(off);
                p.used--;
            }
        }
        return true;
    }

    /** Releases whatever {@code containerId}/{@code ifname} holds; returns what was released. */
    public List<IpAllocation> releaseOwner(String containerId, String ifname) {
        List<IpAllocation> mine = ownedBy(containerId, ifname);
        for (IpAllocation a : mine) release(a.ip());
        return mine;
    }

    public synchronized List<IpAllocation> ownedBy(String containerId, String ifname) {
        return byAddress.values().stream().filter(a -> a.owner().is(containerId, ifname)).toList();
    }

    public synchronized Optional<IpAllocation> lookup(Inet4Address ip) {
        return Optional.ofNullable(byAddress.get(Ipv4.toInt(ip)));
    }

    public synchronized List<IpAllocation> allocations() {
        return new ArrayList<>(byAddress.values());
    }

    /** Releases every allocation whose address is not in {@code inUse} (reconciliation after a restart). */
    public List<IpAllocation> releaseAllExcept(Collection<Inet4Address> inUse) {
        Set<Inet4Address> keep = Set.copyOf(inUse);
        List<IpAllocation> stale = allocations().stream().filter(a -> !keep.contains(a.ip())).toList();
        for (IpAllocation a : stale) release(a.ip());
        return stale;
    }

    public synchronized IpamUsage usage() {
        int used = 0, capacity = 0;
        for (Pool p : pools) {
            used += p.used;
            capacity += p.capacity;
        }
        return new IpamUsage(used, capacity - used);
    }
}
