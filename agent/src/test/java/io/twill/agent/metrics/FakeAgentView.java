package io.twill.agent.metrics;

import io.twill.agent.endpoint.Endpoint;
import io.twill.agent.endpoint.EndpointKey;
import io.twill.agent.ipam.IpamUsage;
import io.twill.maps.MapEntry;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;

import io.twill.types.Ipv4;
import io.twill.types.MacAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** An {@link AgentView} whose answers the test sets. */
public final class FakeAgentView implements AgentView {
    public volatile AgentSummary summary = new AgentSummary("node-a", "0.1.0-test", "2026-11-22T08:00:00Z",
            "kubernetes", "overlay", "cls_bpf", "192.168.50.2", List.of("10.0.3.0/24"), "/sys/fs/bpf/twill");
    public volatile Health health = Health.ok();
    public volatile IpamUsage ipam;
    public final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    public volatile Integer nodes;
    public volatile Map<String, Integer> tables = Map.of();
    public volatile Map<String, Integer> capacities = Map.of();
    public volatile Supplier<List<MapEntry<MetricsKey, MetricsValue>>> counters = List::of;

    public static Endpoint endpoint(int id, String container, String ip, String pod) {
        return new Endpoint(new EndpointKey(container, "eth0"), "twill", Path.of("/var/run/netns/" + container),
                pod == null ? null : "default", pod, id, Ipv4.parse(ip), Ipv4.parse("10.0.3.1"),
                "lxc" + container.substring(0, 8), 10 + id, MacAddress.parse("02:00:00:00:00:" + String.format("%02x", id)),
                2, MacAddress.parse("0a:00:00:00:00:" + String.format("%02x", id)), 1500, 1450,
                Instant.parse("2026-11-22T08:01:00Z"));
    }

    @Override public AgentSummary summary() { return summary; }
    @Override public Health health() { return health; }
    @Override public Optional<IpamUsage> ipamUsage() { return Optional.ofNullable(ipam); }
    @Override public List<Endpoint> endpoints() { return List.copyOf(endpoints); }
    @Override public Optional<Integer> nodeCount() { return Optional.ofNullable(nodes); }
    @Override public Map<String, Integer> nodeTableEntries() { return tables; }
    @Override public List<MapEntry<MetricsKey, MetricsValue>> datapathCounters() { return counters.get(); }
    @Override public Map<String, Integer> mapCapacities() { return capacities; }
}
