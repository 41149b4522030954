package io.twill.agent.ctl;

import io.twill.agent.metrics.EndpointView;
import io.twill.agent.metrics.StatusReport;
import io.twill.maps.MapEntry;
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
