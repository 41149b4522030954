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
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where twillctl gets its facts. {@link LiveSources} reads the pinned maps, the state directory and the agent's
 * HTTP endpoint; tests substitute their own. Failures are exceptions whose text twillctl prints as is.
 */
interface CtlSources {

    /** Whether this process may read pinned maps; empty when it may, else why not. */
    java.util.Optional<String> privilegeProblem();

    List<MapEntry<EndpointKey, EndpointInfo>> bpfEndpoints(Path pinRoot);

    List<MapEntry<TunnelKey, TunnelInfo>> bpfTunnel(Path pinRoot);

    List<MapEntry<MetricsKey, MetricsValue>> bpfMetrics(Path pinRoot);

    List<MapEntry<CtKey, CtEntry>> bpfCt(Path pinRoot);

    /** Deletes every twill_ct entry; returns how many. */
    int flushCt(Path pinRoot);

    List<MapEntry<SnatKey, SnatEntry>> bpfNat(Path pinRoot);

    List<MapEntry<LbKey, LbService>> lbServices(Path pinRoot);

    List<MapEntry<Long, LbBackend>> lbBackends(Path pinRoot);

    List<MapEntry<LbRevNatKey, LbRevNat>> lbRevNat(Path pinRoot);

    /** The datapath's clock (CLOCK_MONOTONIC seconds), for expiry times. */
    long monotonicSeconds();

    /** The agent's {@code /v1/status}. */
    StatusReport agentStatus(URI agent) throws IOException, InterruptedException;

    /** Endpoint state files; problems (damaged files) go to {@code warnings}, the rest is returned. */
    List<EndpointView> stateEndpoints(Path stateDir, Consumer<String> warnings) throws IOException;

    /** Opens {@code twill_events} for reading. */
    Events openEvents(Path pinRoot, Consumer<? super DatapathEvent> handler);

    /** An open event source. */
    interface Events extends AutoCloseable {
        /** Waits up to {@code timeout}; delivers what arrived to the handler. */
        int poll(Duration timeout);

        @Override
        void close();
    }
}
