package io.twill.agent.ctl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.agent.metrics.EndpointView;
import io.twill.agent.metrics.StatusReport;
import io.twill.maps.MapEntry;
import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.ct.CtMap;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbBackendsMap;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatKey;
import io.twill.maps.lb.LbRevNatMap;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbServicesMap;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;
import io.twill.maps.snat.SnatMap;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.endpoints.EndpointKey;
import io.twill.maps.endpoints.EndpointsMap;
import io.twill.maps.events.DatapathEvent;
import io.twill.maps.events.EventReader;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsMap;
import io.twill.maps.metrics.MetricsValue;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.maps.tunnel.TunnelKey;
import io.twill.maps.tunnel.TunnelMap;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The real sources: pinned maps through the maps module, state files, the agent's HTTP endpoint. */
final class LiveSources implements CtlSources {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** CAP_SYS_ADMIN and CAP_BPF bits of CapEff (linux/capability.h). */
    private static final int CAP_SYS_ADMIN = 21, CAP_BPF = 39;

    @Override
    public Optional<String> privilegeProblem() {
        return privilegeProblem(Path.of("/proc/self/status"));
    }

    /** Root, or CAP_BPF (reading pinned maps needs it) together with CAP_SYS_ADMIN. */
    static Optional<String> privilegeProblem(Path procStatus) {
        long euid = -1;
        long capEff = 0;
        try {
            for (String line : Files.readAllLines(procStatus)) {
                if (line.startsWith("Uid:")) {
                    euid = Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                } else if (line.startsWith("CapEff:")) {
                    capEff = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.of("cannot tell whether this process may read BPF maps (" + procStatus + ": " + e + ")");
        }
        boolean caps = (capEff >>> CAP_BPF & 1) == 1 && (capEff >>> CAP_SYS_ADMIN & 1) == 1;
        if (euid == 0 || caps) {
            return Optional.empty();
        }
        return Optional.of("must run as root (or with CAP_BPF and CAP_SYS_ADMIN) to read Twill's pinned BPF maps and "
                + "state; try: sudo twillctl ...");
    }

    @Override
    public List<MapEntry<EndpointKey, EndpointInfo>> bpfEndpoints(Path pinRoot) {
        try (EndpointsMap m = EndpointsMap.openPinned(pinRoot)) {
            return m.entries();
        }
    }

    @Override
    public List<MapEntry<TunnelKey, TunnelInfo>> bpfTunnel(Path pinRoot) {
        try (TunnelMap m = TunnelMap.openPinned(pinRoot)) {
            return m.entries();
        }
    }

    @Override
    public List<MapEntry<MetricsKey, MetricsValue>> bpfMetrics(Path pinRoot) {
        try (MetricsMap m = MetricsMap.openPinned(pinRoot)) {
            return m.entries();
        }
    }

    @Override
    public List<MapEntry<CtKey, CtEntry>> bpfCt(Path pinRoot) {
        try (CtMap m = CtMap.openPinned(pinRoot)) {
            return m.entries();
        }
    }

    @Override
    public int flushCt(Path pinRoot) {
        try (CtMap m = CtMap.openPinned(pinRoot)) {
            return m.flush();
        }
    }

    @Override
    public List<MapEntry<SnatKey, SnatEntry>> bpfNat(Path pinRoot) {
        try (SnatMap m = SnatMap.openPinned(pinRoot)) {
            return m.entries();
        }
    }

    @Override
    public List<MapEntry<LbKey, LbService>> lbServices(Path pinRoot) {
        try (LbServicesMap m = LbServicesMap.openPinned(pinRoot)) {
            return m.entries();
        }
    }

    @Override
    public List<MapEntry<Long, LbBackend>> lbBackends(Path pinRoot) {
        try (LbBackendsMap m = LbBackendsMap.openPinned(pinRoot)) {
            return m.entries();
        }
    }

    @Override
    public List<MapEntry<LbRevNatKey, LbRevNat>> lbRevNat(Path pinRoot) {
        try (LbRevNatMap m = LbRevNatMap.openPinned(pinRoot)) {
            return m.entries();
        }
    }

    @Override
    public long monotonicSeconds() {
        return CtMap.monotonicSeconds();
    }

    @Override
    public StatusReport agentStatus(URI agent) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(agent.resolve("/v1/status"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("GET " + agent.resolve("/v1/status") + ": HTTP " + r.statusCode() + " "
                        + r.body().strip());
            }
            return JSON.readValue(r.body(), StatusReport.class);
        }
    }

    @Override
    public List<EndpointView> stateEndpoints(Path stateDir, Consumer<String> warnings) throws IOException {
        Path dir = stateDir.resolve("endpoints");
        List<EndpointView> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                if (f.getFileName().toString().startsWith(".")) {
                    continue; // a write in progress
                }
                try {
                    out.add(JSON.readValue(Files.readAllBytes(f), EndpointView.class));
                } catch (IOException | RuntimeException e) {
                    warnings.accept("skipped damaged endpoint state " + f + ": "
                            + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                }
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(dir.toString(), null, "no endpoint state directory (is --state-dir right? "
                    + "has the agent run on this node?)");
        }
        return out;
    }

    @Override
    public Events openEvents(Path pinRoot, Consumer<? super DatapathEvent> handler) {
        EventReader r = EventReader.openPinned(pinRoot, handler);
        return new Events() {
            @Override
            public int poll(Duration timeout) {
                return r.poll(timeout);
            }

            @Override
            public void close() {
                r.close();
            }
        };
    }
}
