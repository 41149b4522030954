package io.twill.agent.ctl;

import io.twill.agent.metrics.AgentSummary;
import io.twill.agent.metrics.StatusReport;
import io.twill.maps.MapEntry;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code twillctl status}: the agent's own report ({@code /v1/status}) plus what the pinned maps hold. Each half is
 * printed even when the other fails; the exit code is 1 when either failed or the agent is not healthy.
 */
final class StatusCommand {
    private final CtlSources sources;
    private final PrintStream out;
    private final PrintStream err;

    StatusCommand(CtlSources sources, PrintStream out, PrintStream err) {
        this.sources = sources;
        this.out = out;
        this.err = err;
    }

    /** The pinned-map half of the status. */
    record DatapathStatus(String pinRoot, Integer endpoints, Integer hostEntries, Integer tunnelEntries,
                          Long forwardedPackets, Long droppedPackets, String error) {
    }

    /** What {@code -o json} prints. */
    record Json(StatusReport agent, String agentError, DatapathStatus datapath) {
    }

    int run(CtlOptions o) throws Exception {
        String[] agentError = new String[1];
        StatusReport agent = Twillctl.tryStatus(sources, o.agent(), agentError);
        DatapathStatus dp = datapath(o);
        boolean ok = agent != null && agent.healthy() && dp.error() == null;
        if (o.output() == CtlOptions.Output.JSON) {
            out.println(Twillctl.json(new Json(agent, agentError[0], dp)));
            return ok ? Twillctl.OK : Twillctl.FAILURE;
        }
        Map<String, String> lines = new LinkedHashMap<>();
        if (agent == null) {
            lines.put("Agent", agentError[0]);
        } else {
            AgentSummary s = agent.agent();
            lines.put("Agent", s.nodeName() + ", twill-agent " + s.version() + ", up since " + seconds(s.startTime()));
            lines.put("Health", agent.healthy() ? "OK" : "NOT READY: " + String.join("; ", agent.problems()));
            lines.put("Mode", s.mode() + ", " + s.routing() + " routing, programs attached with " + s.attachMode());
            lines.put("Node IP", s.nodeIp() == null ? "(not set up yet)" : s.nodeIp());
            lines.put("Pod CIDRs", s.podCidrs().isEmpty() ? "(waiting for the operator)" : String.join(", ",
                    s.podCidrs()));
            lines.put("IPAM", agent.ipamUsed() == null ? "(not running yet)" : agent.ipamUsed() + "/"
                    + (agent.ipamUsed() + agent.ipamAvailable()) + " used, " + agent.ipamAvailable() + " available");
            lines.put("Endpoints", Integer.toString(agent.endpoints()));
            lines.put("Nodes", agent.nodes() == null ? "(standalone)" : agent.nodes() + " TwillNodes");
            agent.nodeTables().forEach((t, n) -> lines.put("  " + t, n + " entries"));
        }
        if (dp.error() != null) {
            lines.put("Datapath", "cannot read pinned maps under " + dp.pinRoot() + ": " + dp.error());
        } else {
            lines.put("Datapath", "maps pinned under " + dp.pinRoot() + ": " + dp.endpoints() + " in twill_endpoints"
                    + (dp.hostEntries() == 0 ? "" : " (" + (dp.endpoints() - dp.hostEntries()) + " pods, "
                    + dp.hostEntries() + " host)") + ", " + dp.tunnelEntries() + " in twill_tunnel; " + Long.toUnsignedString(dp.forwardedPackets())
                    + " packets forwarded, " + Long.toUnsignedString(dp.droppedPackets()) + " dropped");
        }
        int w = lines.keySet().stream().mapToInt(String::length).max().orElse(0);
        lines.forEach((k, v) -> out.println(k + ":" + " ".repeat(w - k.length()) + " " + v));
        if (agent == null) {
            err.println("twillctl: status: agent " + agentError[0]);
        }
        return ok ? Twillctl.OK : Twillctl.FAILURE;
    }

    /** An RFC 3339 time without its fraction of a second (as given when it does not parse). */
    static String seconds(String time) {
        try {
            return java.time.Instant.parse(time).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        } catch (RuntimeException e) {
            return time;
        }
    }

    private DatapathStatus datapath(CtlOptions o) {
        String root = o.pinRoot().toString();
        try {
            var all = sources.bpfEndpoints(o.pinRoot());
            int eps = all.size();
            int hosts = (int) all.stream().filter(e -> e.value().isHost()).count();
            int tun = sources.bpfTunnel(o.pinRoot()).size();
            List<MapEntry<MetricsKey, MetricsValue>> m = sources.bpfMetrics(o.pinRoot());
            Map<String, Long> t = Twillctl.totals(m);
            return new DatapathStatus(root, eps, hosts, tun, t.get("forwardedPackets"), t.get("droppedPackets"),
                    null);
        } catch (RuntimeException e) {
            return new DatapathStatus(root, null, null, null, null, null, Twillctl.describe(e));
        }
    }
}
