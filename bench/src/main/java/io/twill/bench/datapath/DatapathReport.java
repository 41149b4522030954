package io.twill.bench.datapath;

import io.twill.bench.PairedReport;
import io.twill.bench.PairedReport.Goal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Summarises the samples of bench/scripts/datapath.sh ({@link PairedReport}): per topology and metric the median, min
 * and max over the interleaved rounds; for each Twill case against its peer the ratio of medians and the min/max of
 * the per-round (paired) ratios; and the goals. Writes JSON and prints a table.
 *
 * <pre>DatapathReport SAMPLES.tsv OUT.json [key=value meta...]</pre>
 * SAMPLES.tsv lines: {@code round case metric value}.
 */
public final class DatapathReport {
    static final List<String> CASES = List.of("raw-veth", "bridge", "twill-same-node", "twill-same-node-noct",
            "flannel-vxlan", "twill-overlay", "host-gw", "twill-native");
    /** metric -> (description, higher is better). */
    static final Map<String, String> METRICS = new LinkedHashMap<>();

    static {
        METRICS.put("stream_gbps", "TCP stream, Gbit/s (iperf3)");
        METRICS.put("rr_tps", "TCP request/response 64 B, transactions/s (sockperf ping-pong)");
        METRICS.put("rr_p50_us", "TCP request/response, median one-way latency µs (sockperf; lower is better)");
        METRICS.put("udp64_pps", "UDP 64 B, packets/s delivered to the receiver's UDP layer (iperf3 -b 0 sender)");
        METRICS.put("udp64_app_pps", "UDP 64 B, packets/s read by the iperf3 receiver");
    }

    static final List<Goal> GOALS = List.of(
            new Goal("twill-same-node", "bridge", "udp64_pps", 1.15),
            new Goal("twill-same-node", "raw-veth", "udp64_pps", 0.95),
            new Goal("twill-same-node", "bridge", "rr_tps", 1.05),
            new Goal("twill-same-node", "bridge", "stream_gbps", 1.0),
            // What connection tracking and NAT (and with them the kube-proxy coexistence check) cost on the same node:
            // today's objects against the same datapath before they were added.
            new Goal("twill-same-node", "twill-same-node-noct", "udp64_pps", 0.97),
            new Goal("twill-same-node", "twill-same-node-noct", "rr_tps", 0.97),
            new Goal("twill-overlay", "flannel-vxlan", "stream_gbps", 1.0),
            new Goal("twill-overlay", "flannel-vxlan", "rr_tps", 1.0),
            new Goal("twill-overlay", "flannel-vxlan", "udp64_pps", 1.0),
            new Goal("twill-native", "host-gw", "stream_gbps", 1.0),
            new Goal("twill-native", "host-gw", "rr_tps", 1.0),
            new Goal("twill-native", "host-gw", "udp64_pps", 1.0));

    private DatapathReport() {}

    public static void main(String[] args) throws IOException {
        new PairedReport(CASES, METRICS, GOALS).run(args);
    }
}
