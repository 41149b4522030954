package io.twill.agent.ctl;

import io.twill.agent.metrics.EndpointView;
import io.twill.agent.metrics.StatusReport;
import io.twill.maps.MapEntry;
import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatKey;
import io.twill.maps.lb.LbService;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.endpoints.EndpointKey;
import io.twill.maps.events.DatapathEvent;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.maps.tunnel.TunnelKey;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Sources the test fills; a null list means "the pinned map is missing". */
final class FakeSources implements CtlSources {
    String privilegeProblem;
    List<MapEntry<EndpointKey, EndpointInfo>> endpoints = new ArrayList<>();
    List<MapEntry<TunnelKey, TunnelInfo>> tunnel = new ArrayList<>();
    List<MapEntry<MetricsKey, MetricsValue>> metrics = new ArrayList<>();
    List<MapEntry<CtKey, CtEntry>> ct = new ArrayList<>();
    List<MapEntry<SnatKey, SnatEntry>> nat = new ArrayList<>();
    List<MapEntry<LbKey, LbService>> lbServices = new ArrayList<>();
    List<MapEntry<Long, LbBackend>> lbBackends = new ArrayList<>();
    List<MapEntry<LbRevNatKey, LbRevNat>> lbRevNat = new ArrayList<>();
    long now = 1000;
    StatusReport status;
    List<EndpointView> state = new ArrayList<>();
    List<String> stateWarnings = new ArrayList<>();
    final Deque<DatapathEvent> events = new ArrayDeque<>();
    boolean eventsClosed;
    final List<Path> pinRootsRead = new ArrayList<>();

    @Override
    public Optional<String> privilegeProblem() {
        return Optional.ofNullable(privilegeProblem);
    }

    private <T> T map(Path pinRoot, String name, T contents) {
        pinRootsRead.add(pinRoot);
        if (contents == null) {
            throw new IllegalStateException("bpf_obj_get(" + pinRoot.resolve(name) + "): ENOENT (No such file or directory)");
        }
        return contents;
    }

    @Override
    public List<MapEntry<EndpointKey, EndpointInfo>> bpfEndpoints(Path pinRoot) {
        return map(pinRoot, "twill_endpoints", endpoints);
    }

    @Override
    public List<MapEntry<TunnelKey, TunnelInfo>> bpfTunnel(Path pinRoot) {
        return map(pinRoot, "twill_tunnel", tunnel);
    }

    @Override
    public List<MapEntry<MetricsKey, MetricsValue>> bpfMetrics(Path pinRoot) {
        return map(pinRoot, "twill_metrics", metrics);
    }

    @Override
    public List<MapEntry<CtKey, CtEntry>> bpfCt(Path pinRoot) {
        return map(pinRoot, "twill_ct", ct);
    }

    @Override
    public int flushCt(Path pinRoot) {
        int n = map(pinRoot, "twill_ct", ct).size();
        ct.clear();
        return n;
    }

    @Override
    public List<MapEntry<SnatKey, SnatEntry>> bpfNat(Path pinRoot) {
        return map(pinRoot, "twill_snat", nat);
    }

    @Override
    public List<MapEntry<LbKey, LbService>> lbServices(Path pinRoot) {
        return map(pinRoot, "twill_lb_services", lbServices);
    }

    @Override
    public List<MapEntry<Long, LbBackend>> lbBackends(Path pinRoot) {
        return map(pinRoot, "twill_lb_backends", lbBackends);
    }

    @Override
    public List<MapEntry<LbRevNatKey, LbRevNat>> lbRevNat(Path pinRoot) {
        return map(pinRoot, "twill_lb_revnat", lbRevNat);
    }

    @Override
    public long monotonicSeconds() {
        return now;
    }

    @Override
    public StatusReport agentStatus(URI agent) throws IOException {
        if (status == null) {
            throw new ConnectException("Connection refused");
        }
        return status;
    }

    @Override
    public List<EndpointView> stateEndpoints(Path stateDir, Consumer<String> warnings) {
        stateWarnings.forEach(warnings);
        return state;
    }

    @Override
    public Events openEvents(Path pinRoot, Consumer<? super DatapathEvent> handler) {
        map(pinRoot, "twill_events", events);
        return new Events() {
            @Override
            public int poll(Duration timeout) {
                int n = 0;
                while (!events.isEmpty()) {
                    handler.accept(events.poll());
                    n++;
                }
                return n;
            }

            @Override
            public void close() {
                eventsClosed = true;
            }
        };
    }
}
