package io.twill.agent.ctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.twill.agent.ctl.CtlOptions.Command;
import io.twill.agent.ctl.CtlOptions.Output;
import io.twill.agent.metrics.EndpointView;
import io.twill.agent.metrics.StatusReport;
import io.twill.maps.MapEntry;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;
import io.twill.maps.metrics.Reason;

import io.twill.types.Ipv4;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code twillctl}, Twill's debug CLI. The {@code bpf ...} commands and {@code monitor} read the pinned maps directly
 * (they work without the agent); {@code endpoint list} reads the agent's endpoint state files; {@code status} asks the
 * agent's HTTP endpoint ({@code /v1/status}, next to {@code /metrics}) and adds what the pinned maps say. Tables for
 * people, {@code -o json} for scripts. Errors go to stderr with the underlying exception's text. Exit codes: 0 ok,
 * 1 failure, 2 usage.
 */
public final class Twillctl {
    static final int OK = 0, FAILURE = 1, USAGE = 2;

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final CtlSources sources;
    private final PrintStream out;
    private final PrintStream err;

    Twillctl(CtlSources sources, PrintStream out, PrintStream err) {
        this.sources = sources;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                java.nio.charset.StandardCharsets.UTF_8);
        Monitor.Stop stop = new Monitor.Stop();
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.request();
            try {
                main.join(2000); // let monitor close the ring buffer and print its summary
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "twillctl-stop"));
        int code = new Twillctl(new LiveSources(), out, System.err).run(List.of(args), stop);
        out.flush();
        Runtime.getRuntime().halt(code); // not exit(): the shutdown hook would wait for this thread
    }

    /** Runs one command line; returns the exit code. {@code stop} ends {@code monitor}. */
    int run(List<String> args, BooleanSupplier stop) {
        CtlOptions o;
        try {
            o = CtlOptions.parse(args);
        } catch (UsageException e) {
            err.println("twillctl: " + e.getMessage());
            err.print(CtlOptions.USAGE);
            return USAGE;
        }
        if (o.command() == Command.HELP) {
            out.print(CtlOptions.USAGE);
            return OK;
        }
        var problem = sources.privilegeProblem();
        if (problem.isPresent()) {
            err.println("twillctl: " + problem.get());
            return FAILURE;
        }
        try {
            return switch (o.command()) {
                case STATUS -> new StatusCommand(sources, out, err).run(o);
                case ENDPOINT_LIST -> endpointList(o);
                case BPF_ENDPOINT_LIST -> bpfEndpoints(o);
                case BPF_TUNNEL_LIST -> bpfTunnel(o);
                case BPF_METRICS_LIST -> bpfMetrics(o);
                case SERVICE_LIST -> new ServiceCommands(sources, out).serviceList(o);
                case BPF_CT_LIST -> new ServiceCommands(sources, out).ctList(o);
                case BPF_CT_FLUSH -> new ServiceCommands(sources, out).ctFlush(o);
                case BPF_NAT_LIST -> new ServiceCommands(sources, out).natList(o);
                case BPF_LB_LIST -> new ServiceCommands(sources, out).lbList(o);
                case MONITOR -> new Monitor(sources, out, err).run(o, stop);
                case HELP -> OK;
            };
        } catch (Exception e) {
            err.println("twillctl: " + o.command().words + ": " + describe(e));
            return FAILURE;
        }
    }

    /** The exception's own text, with its causes when they add something. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        if (e instanceof java.nio.file.NoSuchFileException && e.getMessage() != null && !sb.toString().contains(" ")) {
            sb.append(": no such file");
        }
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !sb.toString().contains(m)) {
                sb.append(" (").append(m).append(')');
            }
        }
        return sb.toString();
    }

    private int endpointList(CtlOptions o) throws Exception {
        List<String> warnings = new ArrayList<>();
        List<EndpointView> eps = new ArrayList<>(sources.stateEndpoints(o.stateDir(), warnings::add));
        eps.sort(Comparator.comparingInt(EndpointView::id));
        if (o.output() == Output.JSON) {
            out.println(json(eps));
        } else {
            Table t = new Table("ID", "POD", "IP", "HOST IF", "POD MAC", "CONTAINER", "IFNAME").numeric(0);
            for (EndpointView e : eps) {
                t.row(e.id(), e.pod(), e.ip(), e.hostIfname() + "(" + e.hostIfindex() + ")", e.podMac(),
                        shortId(e.containerId()), e.ifname());
            }
            out.print(t.render());
        }
        warnings.forEach(w -> err.println("twillctl: " + w));
        return warnings.isEmpty() ? OK : FAILURE;
    }

    private int bpfEndpoints(CtlOptions o) throws JsonProcessingException {
        List<Rows.BpfEndpoint> rows = sources.bpfEndpoints(o.pinRoot()).stream()
                .sorted(Comparator.comparing(e -> Integer.toUnsignedLong(
                        Ipv4.toInt(e.key().addr()))))
                .map(Rows.BpfEndpoint::of).toList();
        if (o.output() == Output.JSON) {
            out.println(json(rows));
            return OK;
        }
        Table t = new Table("IP", "ENDPOINT ID", "IFINDEX", "KIND", "POD MAC", "LXC MAC").numeric(1, 2);
        rows.forEach(r -> t.row(r.ip(), r.endpointId(), r.ifindex(), r.kind(), r.mac(), r.nodeMac()));
        out.print(t.render());
        return OK;
    }

    private int bpfTunnel(CtlOptions o) throws JsonProcessingException {
        List<Rows.Tunnel> rows = sources.bpfTunnel(o.pinRoot()).stream()
                .sorted(Comparator.<MapEntry<io.twill.maps.tunnel.TunnelKey, io.twill.maps.tunnel.TunnelInfo>>comparingLong(
                        e -> Integer.toUnsignedLong(e.key().cidr().network()))
                        .thenComparingInt(e -> e.key().cidr().length()))
                .map(Rows.Tunnel::of).toList();
        if (o.output() == Output.JSON) {
            out.println(json(rows));
            return OK;
        }
        Table t = new Table("POD CIDR", "NODE IP");
        rows.forEach(r -> t.row(r.cidr(), r.nodeIp()));
        out.print(t.render());
        return OK;
    }

    private int bpfMetrics(CtlOptions o) throws JsonProcessingException {
        List<MapEntry<MetricsKey, MetricsValue>> entries = new ArrayList<>(sources.bpfMetrics(o.pinRoot()));
        entries.sort(Comparator.<MapEntry<MetricsKey, MetricsValue>>comparingInt(e -> order(e.key().reason()))
                .thenComparingInt(e -> e.key().direction().code()));
        List<Rows.Metric> rows = entries.stream().map(Rows.Metric::of).toList();
        if (o.output() == Output.JSON) {
            out.println(json(rows));
            return OK;
        }
        Table t = new Table("REASON", "DIRECTION", "PACKETS", "BYTES").numeric(2, 3);
        rows.forEach(r -> t.row(r.reason(), r.direction(), r.packets(), r.bytes()));
        out.print(t.render());
        return OK;
    }

    /** Forwarded first, then drops by code, unknown codes last. */
    private static int order(Reason r) {
        return r == Reason.UNKNOWN ? Integer.MAX_VALUE : r.code();
    }

    static String shortId(String containerId) {
        return containerId == null ? "-" : containerId.substring(0, Math.min(12, containerId.length()));
    }

    static String json(Object o) throws JsonProcessingException {
        return JSON.writeValueAsString(o);
    }

    /** For status: the summed counters split into forwarded and dropped packets. */
    static Map<String, Long> totals(List<MapEntry<MetricsKey, MetricsValue>> entries) {
        long fwd = 0, drop = 0;
        for (MapEntry<MetricsKey, MetricsValue> e : entries) {
            if (e.key().reason() == Reason.FORWARDED) {
                fwd += e.value().packets();
            } else {
                drop += e.value().packets();
            }
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("forwardedPackets", fwd);
        m.put("droppedPackets", drop);
        return m;
    }

    /** Used by {@link StatusCommand}: the agent's report, or null with the reason in {@code error[0]}. */
    static StatusReport tryStatus(CtlSources s, java.net.URI agent, String[] error) {
        try {
            return s.agentStatus(agent);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error[0] = "interrupted";
        } catch (Exception e) {
            error[0] = describe(e);
            if (error[0].equals(e.getClass().getSimpleName()) || e instanceof java.net.ConnectException) {
                error[0] = "unreachable at " + agent + " (" + (e.getMessage() == null
                        ? (e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName())
                        : e.getMessage()) + "); is twill-agent running?";
            }
        }
        return null;
    }
}
