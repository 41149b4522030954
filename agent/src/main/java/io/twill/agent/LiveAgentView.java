package io.twill.agent;

import io.twill.agent.config.AgentConfig;
import io.twill.agent.datapath.CtSweeper;
import io.twill.agent.endpoint.Endpoint;
import io.twill.agent.ipam.Ipam;
import io.twill.agent.ipam.IpamUsage;
import io.twill.agent.k8s.NodeCidrTable;
import io.twill.agent.k8s.NodeWatcher;
import io.twill.agent.metrics.AgentSummary;
import io.twill.agent.metrics.AgentView;
import io.twill.agent.metrics.Health;
import io.twill.agent.service.LbTable;
import io.twill.agent.service.ServiceWatcher;
import io.twill.maps.MapEntry;
import io.twill.datapath.Datapath;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;

import io.twill.types.Ipv4Prefix;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link AgentView} of a running (or starting) {@link Agent}: every answer is read from the agent's current
 * state at call time, so it is valid from the first scrape on, before the node is set up, and after close.
 */
final class LiveAgentView implements AgentView {
    private final Agent agent;

    LiveAgentView(Agent agent) {
        this.agent = agent;
    }

    @Override
    public AgentSummary summary() {
        AgentConfig cfg = agent.config();
        var node = agent.node();
        Ipam ipam = agent.ipam();
        return new AgentSummary(cfg.nodeName(), Agent.VERSION, agent.startTime().toString(),
                cfg.standaloneMode() ? "standalone" : "kubernetes", cfg.network().routingMode().value(),
                agent.attachMode(), node == null ? null : node.nodeIp().getHostAddress(),
                ipam == null ? List.of() : ipam.cidrs().stream().map(Ipv4Prefix::toString).toList(),
                cfg.paths().pinRoot().toString());
    }

    @Override
    public Health health() {
        return agent.health().check();
    }

    @Override
    public Optional<IpamUsage> ipamUsage() {
        return Optional.ofNullable(agent.ipam()).map(Ipam::usage);
    }

    @Override
    public List<Endpoint> endpoints() {
        var m = agent.endpoints();
        return m == null ? List.of() : m.registry().all();
    }

    @Override
    public Optional<Integer> nodeCount() {
        NodeWatcher w = agent.watcher();
        return w == null ? Optional.empty() : Optional.of(w.nodeCount());
    }

    @Override
    public Map<String, Integer> nodeTableEntries() {
        NodeWatcher w = agent.watcher();
        Map<String, Integer> out = new LinkedHashMap<>();
        if (w != null) {
            for (NodeCidrTable t : w.tables()) out.put(t.name(), w.entryCount(t));
        } else if (agent.datapath() != null && !agent.closed()) {
            out.put("twill_tunnel", agent.datapath().tunnel().entries().size());
        }
        return out;
    }

    @Override
    public List<MapEntry<MetricsKey, MetricsValue>> datapathCounters() {
        Datapath dp = agent.datapath();
        return dp == null || agent.closed() ? List.of() : dp.metrics().entries();
    }

    @Override
    public Map<String, Integer> mapCapacities() {
        Datapath dp = agent.datapath();
        if (dp == null || agent.closed()) return Map.of();
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put(dp.endpoints().name(), dp.endpoints().bpfMap().maxEntries());
        out.put(dp.tunnel().name(), dp.tunnel().bpfMap().maxEntries());
        out.put(dp.metrics().name(), dp.metrics().bpfMap().maxEntries());
        return out;
    }

    @Override
    public Optional<ServiceStats> serviceStats() {
        ServiceWatcher w = agent.services();
        if (w == null || !w.synced()) return Optional.empty();
        LbTable t = w.table();
        return Optional.of(new ServiceStats(t.serviceCount(), t.frontendCount(), t.backendCount()));
    }

    @Override
    public Optional<Long> conntrackSwept() {
        CtSweeper s = agent.ctSweeper();
        return s == null ? Optional.empty() : Optional.of(s.deletedTotal());
    }
}
