package io.twill.agent.endpoint;

import io.twill.agent.endpoint.EndpointException.Step;
import io.twill.agent.ipam.IpAllocation;
import io.twill.agent.ipam.Ipam;
import io.twill.agent.ipam.IpamOwner;
import io.twill.types.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Creates, deletes, checks and garbage-collects pod endpoints through three ports: {@link EndpointNetwork} (veth,
 * addresses, routes, neighbour), {@link DatapathWriter} (bpf_lxc, twill_endpoints) and {@link EndpointStore}
 * (state files), with {@link Ipam} for addresses.
 *
 * <p>ADD runs its steps in order and, when one fails, undoes everything done so far in reverse and reports the
 * failed step ({@link EndpointException}). DEL is idempotent and keeps the state file when a step failed, so a
 * retry finishes the job. Calls for the same attachment are serialised here (the CNI server does so as well);
 * different attachments proceed in parallel.
 */
public final class EndpointManager {
    private static final Logger log = LoggerFactory.getLogger(EndpointManager.class);
    private static final int STRIPES = 64;

    /** Node-wide settings: device MTU (uplink's, or configured) and what routes subtract (50 for VXLAN, else 0). */
    public record Settings(int mtu, int routeOverhead) {
        public Settings {
            if (mtu < 68 + routeOverhead || mtu > 65535) throw new IllegalArgumentException("mtu " + mtu + " out of range");
            if (routeOverhead < 0) throw new IllegalArgumentException("route overhead " + routeOverhead + " is negative");
        }

        int routeMtu(int deviceMtu) {
            return deviceMtu - routeOverhead;
        }
    }

    /**
     * What the runtime asked for. {@code requestedIp}, {@code requestedMac} and {@code mtu} are optional (null):
     * a static address (podman {@code --ip}), a static MAC, an MTU override from the network config.
     */
    public record AddSpec(EndpointKey key, String network, Path netns, String podNamespace, String podName,
                          Inet4Address requestedIp, MacAddress requestedMac, Integer mtu) {
        public AddSpec {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(netns, "netns");
            if (requestedMac != null && (requestedMac.isMulticast() || requestedMac.isZero())) {
                throw new IllegalArgumentException("MAC " + requestedMac + " is not a unicast address");
            }
        }
    }

    private final Settings settings;
    private final Ipam ipam;
    private final EndpointNetwork network;
    private final DatapathWriter datapath;
    private final EndpointStore store;
    private final EndpointRegistry registry;
    private final Clock clock;
    private final Object[] stripes = new Object[STRIPES];

    public EndpointManager(Settings settings, Ipam ipam, EndpointNetwork network, DatapathWriter datapath,
                           EndpointStore store, EndpointRegistry registry, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ipam = Objects.requireNonNull(ipam, "ipam");
        this.network = Objects.requireNonNull(network, "network");
        this.datapath = Objects.requireNonNull(datapath, "datapath");
        this.store = Objects.requireNonNull(store, "store");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (int i = 0; i < STRIPES; i++) stripes[i] = new Object();
    }

    public EndpointRegistry registry() {
        return registry;
    }

    public Ipam ipam() {
        return ipam;
    }

    private Object lock(EndpointKey key) {
        return stripes[Math.floorMod(key.hashCode(), STRIPES)];
    }

    /** One thing ADD did and how to take it back; {@code action} says what it undid, or null for bookkeeping. */
    private record Undo(String what, java.util.function.Supplier<String> action) {
        Undo(String what, Runnable r) {
            this(what, () -> {
                r.run();
                return what;
            });
        }
    }

    /**
     * ADD: IP (persisted while the veth pair is created) → pod side → host side → bpf_lxc and map entry (while the
     * state file is written) → result. The state file is the truth a restart works from: a crash before it is
     * durable leaves leftovers that the restart removes; a crash after it leaves an endpoint the restart adopts.
     *
     * @throws EndpointException naming the failed step, after rolling back; its cause is the original error
     */
    public Endpoint add(AddSpec spec) {
        EndpointKey key = spec.key();
        synchronized (lock(key)) {
            if (registry.get(key).isPresent()) {
                throw new InterfaceNameTakenException("endpoint " + key + " already exists (DEL it first)", true, null);
            }
            Deque<Undo> undo = new ArrayDeque<>();
            Step step = Step.ALLOCATE_IP;
            Fork<IpAllocation> allocation = null;
            Fork<Void> saving = null;
            try {
                int mtu = spec.mtu() == null ? settings.mtu() : spec.mtu();
                if (mtu < 68 + settings.routeOverhead() || mtu > 65535) {
                    throw new IllegalArgumentException("MTU " + mtu + " is out of range (" + (68 + settings.routeOverhead()) + "..65535)");
                }
                int id = registry.allocateId();
                undo.push(new Undo(null, () -> registry.releaseId(id)));
                IpamOwner owner = new IpamOwner(key.containerId(), key.ifname(), spec.network(), spec.podNamespace(), spec.podName());
                Fork<IpAllocation> alloc = Fork.of(() -> spec.requestedIp() == null ? ipam.allocate(owner)
                        : ipam.allocate(spec.requestedIp(), owner));
                allocation = alloc;
                undo.push(new Undo("release the address", () -> {
                    IpAllocation a;
                    try {
                        a = alloc.join();
                    } catch (RuntimeException failed) {
                        return null; // the allocation failed: nothing to release
                    }
                    ipam.release(a.ip());
                    return "released " + a.ip().getHostAddress();
                }));
                String hostIfname = LxcNames.hostIfname(key);
                MacAddress hostMac = MacAddress.randomLocal();
                MacAddress podMac = spec.requestedMac() != null ? spec.requestedMac() : MacAddress.randomLocal();

                step = Step.CREATE_VETH;
                EndpointNetwork.Veth veth = network.createVeth(new EndpointNetwork.VethPlan(key, spec.netns(), hostIfname,
                        mtu, hostMac, podMac));
                undo.push(new Undo("deleted " + hostIfname, () -> network.deleteVeth(hostIfname)));

                step = Step.ALLOCATE_IP;
                IpAllocation a = alloc.join();
                Inet4Address ip = a.ip();
                Endpoint ep = new Endpoint(key, spec.network(), spec.netns(), spec.podNamespace(), spec.podName(), id, ip,
                        ipam.gatewayFor(ip), hostIfname, veth.hostIfindex(), hostMac, veth.podIfindex(), podMac, mtu,
                        settings.routeMtu(mtu), clock.instant());

                step = Step.CONFIGURE_POD;
                network.configurePod(ep);

                step = Step.CONFIGURE_HOST;
                network.configureHost(ep);

                undo.push(new Undo("deleted state file", () -> store.delete(key)));
                Endpoint done = ep;
                saving = Fork.run(() -> store.save(done));

                step = Step.ATTACH_PROGRAM;
                datapath.attach(hostIfname, ep.hostIfindex());
                undo.push(new Undo("detached bpf_lxc", () -> datapath.detach(hostIfname, done.hostIfindex())));

                step = Step.WRITE_MAP;
                datapath.putEndpoint(ep);
                undo.push(new Undo("removed twill_endpoints entry", () -> datapath.removeEndpoint(ip)));

                step = Step.SAVE_STATE;
                saving.join();

                registry.put(ep);
                log.atInfo().addKeyValue("endpoint", ep.id()).addKeyValue("container", key.containerId())
                        .addKeyValue("ip", ip.getHostAddress()).addKeyValue("lxc", hostIfname)
                        .log("Endpoint {} added: {} on {} for {}", ep.id(), ip.getHostAddress(), hostIfname, ep.podRef());
                return ep;
            } catch (RuntimeException e) {
                // Wait for work in flight, so the undo sees its outcome (a failure there is the step's, or secondary).
                if (saving != null) quietly(saving, e, step != Step.SAVE_STATE);
                if (allocation != null) quietly(allocation, e, step != Step.ALLOCATE_IP);
                List<String> undone = rollback(undo, e);
                log.atWarn().addKeyValue("container", key.containerId()).addKeyValue("step", step.name())
                        .log("ADD {} failed at '{}': {}", key, step, e.toString());
                throw new EndpointException("ADD", key, step, undone, e);
            }
        }
    }

    private static void quietly(Fork<?> f, RuntimeException primary, boolean record) {
        try {
            f.join();
        } catch (RuntimeException e) {
            if (record && e != primary) primary.addSuppressed(e);
        }
    }

    private static List<String> rollback(Deque<Undo> undo, RuntimeException failure) {
        List<String> done = new ArrayList<>();
        while (!undo.isEmpty()) {
            Undo u = undo.pop();
            try {
                String what = u.action().get();
                if (what != null) done.add(what);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
                done.add("FAILED to undo (" + (u.what() == null ? "bookkeeping" : u.what()) + "): " + e.getMessage());
            }
        }
        return done;
    }

    /** What DEL removed. {@code found} is false when there was no endpoint (DEL then only sweeps by name). */
    public record DelResult(boolean found, List<String> removed) {}

    /**
     * DEL: map entry → veth (and with it the pod's interface and routes) and attachment, while the IP and the state
     * file are released in parallel. Succeeds when there is nothing to delete. When a step fails the others still
     * run, the endpoint stays known, and an {@link EndpointException} lists what failed; a retry finishes the job
     * (without state it sweeps by the device name and the IPAM owner, and a restart removes leftovers anyway).
     */
    public DelResult del(EndpointKey key) {
        synchronized (lock(key)) {
            Optional<Endpoint> known = registry.get(key);
            List<String> removed = java.util.Collections.synchronizedList(new ArrayList<>());
            List<RuntimeException> failures = new ArrayList<>();
            String hostIfname = known.map(Endpoint::hostIfname).orElse(LxcNames.hostIfname(key));
            int hostIfindex = known.map(Endpoint::hostIfindex).orElse(0);
            List<Inet4Address> ips = new ArrayList<>();
            known.ifPresent(ep -> ips.add(ep.ip()));
            for (IpAllocation a : ipam.ownedBy(key.containerId(), key.ifname())) if (!ips.contains(a.ip())) ips.add(a.ip());

            for (Inet4Address ip : ips) {
                attempt(failures, () -> {
                    if (datapath.removeEndpoint(ip)) removed.add("twill_endpoints " + ip.getHostAddress());
                });
            }
            List<RuntimeException> fileFailures = java.util.Collections.synchronizedList(new ArrayList<>());
            Fork<Void> files = Fork.run(() -> {
                for (Inet4Address ip : ips) {
                    attempt(fileFailures, () -> {
                        if (ipam.release(ip)) removed.add("IP " + ip.getHostAddress());
                    });
                }
                attempt(fileFailures, () -> {
                    if (store.delete(key)) removed.add("state");
                });
            });
            attempt(failures, () -> {
                if (network.deleteVeth(hostIfname)) removed.add(hostIfname);
            });
            attempt(failures, () -> datapath.detach(hostIfname, hostIfindex));
            attempt(failures, files::join);
            failures.addAll(fileFailures);
            if (!failures.isEmpty()) {
                RuntimeException first = failures.getFirst();
                failures.stream().skip(1).forEach(first::addSuppressed);
                throw new EndpointException("DEL", key, Step.DELETE, List.copyOf(removed), first);
            }
            known.ifPresent(ep -> {
                registry.remove(key);
                registry.releaseId(ep.id());
                log.atInfo().addKeyValue("endpoint", ep.id()).addKeyValue("container", key.containerId())
                        .log("Endpoint {} deleted: {} ({})", ep.id(), ep.ip().getHostAddress(), ep.podRef());
            });
            return new DelResult(known.isPresent(), List.copyOf(removed));
        }
    }

    private static void attempt(List<RuntimeException> failures, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    /**
     * CHECK: everything that differs from what ADD made, in words; empty when the endpoint is intact. {@code netns}
     * is the namespace the runtime says the container has (null to skip that comparison).
     */
    public List<String> check(EndpointKey key, Path netns) {
        synchronized (lock(key)) {
            Optional<Endpoint> known = registry.get(key);
            if (known.isEmpty()) return List.of("no endpoint for " + key + " (never added, or deleted)");
            Endpoint ep = known.get();
            List<String> problems = new ArrayList<>();
            if (netns != null && ep.netns() != null && !netns.equals(ep.netns())) {
                problems.add("endpoint was added in netns " + ep.netns() + ", not " + netns);
            }
            Optional<IpAllocation> a = ipam.lookup(ep.ip());
            if (a.isEmpty()) problems.add("IP " + ep.ip().getHostAddress() + " is not allocated in IPAM");
            else if (!a.get().owner().is(key.containerId(), key.ifname())) {
                problems.add("IP " + ep.ip().getHostAddress() + " is allocated to " + a.get().owner() + ", not " + key);
            }
            problems.addAll(network.verify(ep));
            problems.addAll(datapath.verify(ep));
            return problems;
        }
    }

    /** Whether an endpoint exists for {@code key}. */
    public boolean exists(EndpointKey key) {
        return registry.get(key).isPresent();
    }

    /**
     * GC: deletes every endpoint of {@code networkName} whose key is not in {@code valid}, and releases IPs that
     * network's attachments hold without an endpoint. Keeps going past failures; returns what was deleted and
     * throws at the end if something failed.
     */
    public List<EndpointKey> gc(String networkName, Set<EndpointKey> valid) {
        List<EndpointKey> deleted = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        for (Endpoint ep : registry.all()) {
            if (!ep.network().equals(networkName) || valid.contains(ep.key())) continue;
            attempt(failures, () -> {
                del(ep.key());
                deleted.add(ep.key());
            });
        }
        for (IpAllocation a : ipam.allocations()) {
            IpamOwner o = a.owner();
            if (o.isUnknown() || !networkName.equals(o.network())) continue;
            EndpointKey k = new EndpointKey(o.containerId(), o.ifname());
            if (valid.contains(k) || registry.get(k).isPresent()) continue;
            attempt(failures, () -> {
                del(k);
                deleted.add(k);
            });
        }
        if (!deleted.isEmpty()) log.info("GC of network {} deleted {} endpoints: {}", networkName, deleted.size(), deleted);
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw new IllegalStateException("GC of network " + networkName + " deleted " + deleted + " but failed "
                    + failures.size() + " time(s): " + first.getMessage(), first);
        }
        return deleted;
    }
}
