package io.twill.agent.metrics;

import io.twill.agent.endpoint.Endpoint;
import io.twill.agent.ipam.IpamUsage;
import io.twill.maps.MapEntry;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent shows to the outside (Prometheus, {@code /healthz}, {@code /v1/status}, twillctl): a read-only view
 * the agent core implements. Every method may be called from any thread at any time, including while the agent is
 * still starting (then it answers with what exists: unhealthy, no IPAM yet, no endpoints...), and must be cheap
 * enough to run on every scrape. None may throw for "not there yet".
 */
public interface AgentView {

    /** Identity and configuration: node, version, modes, addresses. Fixed once the node is set up. */
    AgentSummary summary();

    /** Healthy when the datapath is loaded and the CNI server runs. */
    Health health();

    /** Pod IP usage; empty before the pod CIDRs are known. */
    Optional<IpamUsage> ipamUsage();

    /** The live endpoints (a snapshot). */
    List<Endpoint> endpoints();

    /** TwillNodes the node watcher sees (this one included); empty in standalone mode or before it runs. */
    Optional<Integer> nodeCount();

    /** Entries in each table the node watcher keeps ("twill_tunnel", "routes"); empty map when there is none. */
    Map<String, Integer> nodeTableEntries();

    /**
     * The datapath's {@code twill_metrics} counters summed over CPUs, read now (at scrape time); empty before the
     * datapath is loaded.
     */
    List<MapEntry<MetricsKey, MetricsValue>> datapathCounters();

    /**
     * {@code max_entries} of the datapath's maps by name ({@code BpfMap.maxEntries()}), for
     * {@code twill_map_pressure}; empty before the datapath is loaded.
     */
    default Map<String, Integer> mapCapacities() {
        return Map.of();
    }

    /** Services, frontends and backends in the datapath; empty without kube-proxy replacement. */
    record ServiceStats(int services, int frontends, int backends) {}

    default Optional<ServiceStats> serviceStats() {
        return Optional.empty();
    }

    /** Connection tracking entries the agent's sweeps deleted so far; empty before the datapath is loaded. */
    default Optional<Long> conntrackSwept() {
        return Optional.empty();
    }
}
