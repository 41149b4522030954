package io.twill.agent.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.twill.agent.ipam.IpamUsage;
import io.twill.cni.CniCall;
import io.twill.cni.CniListener;
import io.twill.maps.endpoints.EndpointsMap;
import io.twill.maps.tunnel.TunnelMap;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every metric the agent exports, in one registry of its own (no global state, so tests and several agents in one
 * JVM don't collide). Everything but the CNI histogram is read from the {@link AgentView} at scrape time:
 *
 * <ul>
 *   <li>{@code twill_forward_count_total{direction}}, {@code twill_forward_bytes_total{direction}},
 *       {@code twill_drop_count_total{reason,direction}}, {@code twill_drop_bytes_total{reason,direction}}
 *       from {@code twill_metrics};</li>
 *   <li>{@code twill_endpoint_count}, {@code twill_ipam_ips{state="used|available"}};</li>
 *   <li>{@code twill_node_count}, {@code twill_node_table_entries{table}};</li>
 *   <li>{@code twill_map_pressure{map}}: fill level of {@code twill_endpoints} and {@code twill_tunnel} (0..1), from
 *       the counts above, so no map is walked;</li>
 *   <li>{@code twill_cni_request_duration_seconds{verb,outcome}}: histogram fed by {@link #cniListener()};</li>
 *   <li>{@code twill_agent_info{version,mode,routing,attach}}: always 1.</li>
 * </ul>
 */
public final class TwillMetrics {
    /** Seconds; a Go plugin's ADD takes ~15 ms here, a slow netns/RCU wait can take 100s of ms. */
    static final double[] CNI_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram cniDuration;
    private final Counter serviceProblems;

    public TwillMetrics(AgentView view) {
        Objects.requireNonNull(view, "view");
        registry.register(new DatapathCollector(view::datapathCounters));
        GaugeWithCallback.builder().name("twill_endpoint_count").help("Endpoints (pod attachments) on this node")
                .callback(cb -> cb.call(view.endpoints().size())).register(registry);
        GaugeWithCallback.builder().name("twill_ipam_ips").help("Pod IPs of this node's pod CIDRs, by state")
                .labelNames("state").callback(cb -> {
                    Optional<IpamUsage> u = view.ipamUsage();
                    u.ifPresent(x -> {
                        cb.call(x.used(), "used");
                        cb.call(x.available(), "available");
                    });
                }).register(registry);
        GaugeWithCallback.builder().name("twill_node_count").help("TwillNodes in the cluster, this one included")
                .callback(cb -> view.nodeCount().ifPresent(cb::call)).register(registry);
        GaugeWithCallback.builder().name("twill_node_table_entries")
                .help("Entries the node watcher keeps in each table (twill_tunnel, routes)").labelNames("table")
                .callback(cb -> view.nodeTableEntries().forEach((t, n) -> cb.call(n, t))).register(registry);
        GaugeWithCallback.builder().name("twill_map_pressure")
                .help("Fill level of a BPF map: entries / max_entries").labelNames("map").callback(cb -> {
                    Map<String, Integer> cap = view.mapCapacities();
                    Integer max = cap.get(EndpointsMap.MAP_NAME);
                    if (max != null && max > 0) {
                        cb.call((double) view.endpoints().size() / max, EndpointsMap.MAP_NAME);
                    }
                    max = cap.get(TunnelMap.MAP_NAME);
                    Integer t = view.nodeTableEntries().get(TunnelMap.MAP_NAME);
                    if (max != null && max > 0 && t != null) {
                        cb.call((double) t / max, TunnelMap.MAP_NAME);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("twill_agent_info").help("The running agent; always 1")
                .labelNames("version", "mode", "routing", "attach").callback(cb -> {
                    AgentSummary s = view.summary();
                    cb.call(1, s.version(), String.valueOf(s.mode()), String.valueOf(s.routing()),
                            String.valueOf(s.attachMode()));
                }).register(registry);
        GaugeWithCallback.builder().name("twill_services").help("Services with at least one frontend in the datapath")
                .callback(cb -> view.serviceStats().ifPresent(st -> cb.call(st.services()))).register(registry);
        GaugeWithCallback.builder().name("twill_service_frontends")
                .help("Service frontends (ClusterIP, NodePort, external IP ports) in twill_lb_services")
                .callback(cb -> view.serviceStats().ifPresent(st -> cb.call(st.frontends()))).register(registry);
        GaugeWithCallback.builder().name("twill_service_backends").help("Distinct backends in twill_lb_backends")
                .callback(cb -> view.serviceStats().ifPresent(st -> cb.call(st.backends()))).register(registry);
        CounterWithCallback.builder().name("twill_conntrack_gc_deleted")
                .help("Connection tracking and NAT entries the agent's sweeps deleted (expired, or of deleted pods)")
                .callback(cb -> view.conntrackSwept().ifPresent(cb::call)).register(registry);
        serviceProblems = Counter.builder().name("twill_service_problems")
                .help("Service and EndpointSlice fields left out of the datapath, by reason (the log names object and field)")
                .labelNames("reason").register(registry);
        cniDuration = Histogram.builder().name("twill_cni_request_duration_seconds")
                .help("Time the agent spent answering CNI requests, by verb and outcome (ok or error_<code>)")
                .labelNames("verb", "outcome").classicOnly().classicUpperBounds(CNI_BUCKETS).register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Counts one Service or EndpointSlice field left out, by reason. */
    public void serviceProblem(String reason) {
        serviceProblems.labelValues(reason).inc();
    }

    /** Hand this to the CNI engine: every finished call lands in the latency histogram. */
    public CniListener cniListener() {
        return this::record;
    }

    private void record(CniCall call) {
        String verb = call.command() == null ? "unknown" : call.command().name().toLowerCase(Locale.ROOT);
        cniDuration.labelValues(verb, call.outcome()).observe(call.elapsed().toNanos() / 1e9);
    }
}
