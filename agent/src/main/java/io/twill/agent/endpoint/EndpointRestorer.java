package io.twill.agent.endpoint;

import io.twill.agent.ipam.IpAllocation;
import io.twill.agent.ipam.Ipam;
import io.twill.agent.ipam.IpamOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Start-up reconciliation after a restart (or a crash): the state files are the truth. Endpoints whose lxc device
 * still exists are adopted (IP re-owned, {@code bpf_lxc} re-attached atomically over the running one, map entry
 * rewritten); endpoints whose device vanished while the agent was down are cleaned up; whatever has no endpoint
 * (map entries, lxc devices, attachment pins, IPs) is removed. Runs before the CNI server accepts requests.
 * Traffic of adopted endpoints never stops: nothing of theirs is deleted, only replaced in place.
 */
public final class EndpointRestorer {
    private static final Logger log = LoggerFactory.getLogger(EndpointRestorer.class);

    /** What a restore did. */
    public record Report(List<Endpoint> restored, List<EndpointKey> gone, List<String> removed, List<String> problems) {
        public Report {
            restored = List.copyOf(restored);
            gone = List.copyOf(gone);
            removed = List.copyOf(removed);
            problems = List.copyOf(problems);
        }

        @Override
        public String toString() {
            return restored.size() + " endpoints restored, " + gone.size() + " gone while the agent was down, "
                    + removed.size() + " leftovers removed, " + problems.size() + " problems";
        }
    }

    private final Ipam ipam;
    private final EndpointNetwork network;
    private final DatapathWriter datapath;
    private final EndpointStore store;
    private final EndpointRegistry registry;

    public EndpointRestorer(Ipam ipam, EndpointNetwork network, DatapathWriter datapath, EndpointStore store,
                            EndpointRegistry registry) {
        this.ipam = Objects.requireNonNull(ipam, "ipam");
        this.network = Objects.requireNonNull(network, "network");
        this.datapath = Objects.requireNonNull(datapath, "datapath");
        this.store = Objects.requireNonNull(store, "store");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    public Report restore() {
        EndpointStore.Loaded loaded = store.load();
        List<String> problems = new ArrayList<>(loaded.problems());
        List<String> removed = new ArrayList<>();
        List<Endpoint> restored = new ArrayList<>();
        List<EndpointKey> gone = new ArrayList<>();
        Map<String, Integer> devices = network.lxcDevices();

        for (Endpoint saved : loaded.endpoints()) {
            Integer ifindex = devices.get(saved.hostIfname());
            if (ifindex == null) {
                cleanUpGone(saved, removed, problems);
                gone.add(saved.key());
                continue;
            }
            try {
                restored.add(adopt(saved, ifindex, problems));
            } catch (RuntimeException e) {
                problems.add("cannot restore " + saved + ": " + e.getMessage());
                log.error("Cannot restore {}", saved, e);
                cleanUpGone(saved, removed, problems);
                gone.add(saved.key());
            }
        }

        Set<String> liveDevices = new HashSet<>();
        Set<Inet4Address> liveIps = new HashSet<>();
        for (Endpoint ep : restored) {
            liveDevices.add(ep.hostIfname());
            liveIps.add(ep.ip());
        }
        step(problems, "sweep twill_endpoints", () -> {
            for (var e : datapath.endpoints().entrySet()) {
                if (e.getValue().host() || liveIps.contains(e.getKey())) continue;
                if (datapath.removeEndpoint(e.getKey())) removed.add("twill_endpoints entry " + e.getKey().getHostAddress());
            }
        });
        for (String dev : devices.keySet()) {
            if (liveDevices.contains(dev)) continue;
            step(problems, "delete leftover device " + dev, () -> {
                if (network.deleteVeth(dev)) removed.add("device " + dev);
            });
        }
        step(problems, "remove stale attachments", () ->
                datapath.removeStaleAttachments(restored).forEach(d -> removed.add("attachment " + d)));
        step(problems, "release leftover IPs", () ->
                ipam.releaseAllExcept(liveIps).forEach(a -> removed.add("IP " + a)));

        Report r = new Report(restored, gone, removed, problems);
        if (restored.isEmpty() && gone.isEmpty() && removed.isEmpty() && problems.isEmpty()) {
            log.info("No endpoints to restore");
        } else {
            log.info("Restore: {}", r);
            removed.forEach(x -> log.info("Restore removed leftover {}", x));
            problems.forEach(x -> log.warn("Restore problem: {}", x));
        }
        return r;
    }

    private Endpoint adopt(Endpoint saved, int ifindex, List<String> problems) {
        Endpoint ep = saved;
        boolean dirty = false;
        if (ep.hostIfindex() != ifindex) {
            problems.add(ep.hostIfname() + " has ifindex " + ifindex + ", the state said " + ep.hostIfindex() + "; updated");
            ep = ep.withHostIfindex(ifindex);
            dirty = true;
        }
        int id = ep.id();
        if (!registry.reserveId(id)) {
            id = registry.allocateId();
            problems.add("endpoint id " + ep.id() + " of " + ep.key() + " was taken twice; now " + id);
            ep = new Endpoint(ep.key(), ep.network(), ep.netns(), ep.podNamespace(), ep.podName(), id, ep.ip(), ep.gateway(),
                    ep.hostIfname(), ep.hostIfindex(), ep.hostMac(), ep.podIfindex(), ep.podMac(), ep.mtu(), ep.routeMtu(), ep.created());
            dirty = true;
        }
        try {
            reown(ep, problems);
            if (dirty) store.save(ep);
        } catch (RuntimeException e) {
            registry.releaseId(id);
            throw e;
        }
        // From here on the endpoint is ours whatever happens: the program attached before the restart keeps
        // forwarding, so a failure to replace it or to rewrite its entry is a problem to report, not a reason to
        // tear a working pod down.
        final Endpoint adopted = ep;
        step(problems, "re-attach bpf_lxc to " + ep.hostIfname(), () -> datapath.attach(adopted.hostIfname(), adopted.hostIfindex()));
        step(problems, "rewrite twill_endpoints entry of " + ep.key(), () -> datapath.putEndpoint(adopted));
        registry.put(ep);
        return ep;
    }

    /** Makes IPAM hold the endpoint's address for it, whatever the IPAM records said. */
    private void reown(Endpoint ep, List<String> problems) {
        IpamOwner owner = new IpamOwner(ep.key().containerId(), ep.key().ifname(), ep.network(), ep.podNamespace(), ep.podName());
        Optional<IpAllocation> held = ipam.lookup(ep.ip());
        if (held.isPresent() && held.get().owner().is(ep.key().containerId(), ep.key().ifname())) return;
        if (held.isPresent() && !held.get().owner().isUnknown()) {
            problems.add("IP " + ep.ip().getHostAddress() + " of " + ep.key() + " was recorded for " + held.get().owner()
                    + "; given back to " + ep.key());
        }
        held.ifPresent(h -> ipam.release(h.ip()));
        if (ipam.cidrOf(ep.ip()).isEmpty()) {
            problems.add("IP " + ep.ip().getHostAddress() + " of " + ep.key() + " is outside the pod CIDRs " + ipam.cidrs()
                    + "; the endpoint keeps it, new pods get addresses from the new CIDRs");
            return;
        }
        ipam.allocate(ep.ip(), owner);
    }

    private void cleanUpGone(Endpoint ep, List<String> removed, List<String> problems) {
        step(problems, "remove map entry of " + ep.key(), () -> {
            Optional<DatapathWriter.Entry> e = datapath.endpoint(ep.ip());
            // Only the entry that points at this endpoint's (gone) device: another endpoint may hold the address now.
            if (e.isPresent() && !e.get().host() && e.get().ifindex() == ep.hostIfindex() && datapath.removeEndpoint(ep.ip())) {
                removed.add("twill_endpoints entry " + ep.ip().getHostAddress());
            }
        });
        step(problems, "detach " + ep.hostIfname(), () -> datapath.detach(ep.hostIfname(), 0));
        step(problems, "release IP of " + ep.key(), () -> {
            Optional<IpAllocation> a = ipam.lookup(ep.ip());
            if (a.isPresent() && (a.get().owner().isUnknown() || a.get().owner().is(ep.key().containerId(), ep.key().ifname()))) {
                ipam.release(ep.ip());
                removed.add("IP " + ep.ip().getHostAddress());
            }
        });
        step(problems, "delete state of " + ep.key(), () -> {
            if (store.delete(ep.key())) removed.add("state of " + ep.key());
        });
        log.info("Endpoint {} went away while the agent was down ({} is gone); cleaned up", ep, ep.hostIfname());
    }

    private static void step(List<String> problems, String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            problems.add(what + ": " + e.getMessage());
        }
    }
}
