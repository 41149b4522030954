package io.twill.bench.services;

import io.twill.bench.PairedReport;
import io.twill.bench.PairedReport.Goal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Summarises the samples of bench/scripts/services.sh ({@link PairedReport}): cases {@code twill-svc-N} (Twill's
 * kube-proxy replacement, socket load balancing) and {@code iptables-svc-N} (kube-proxy-style iptables rules, Twill's
 * replacement off) for each number of Services N loaded, measured in the same rounds.
 *
 * <pre>ServicesReport SAMPLES.tsv OUT.json [key=value meta...]</pre>
 */
public final class ServicesReport {
    static final List<Integer> COUNTS = List.of(1, 1_000, 10_000);
    static final Map<String, String> METRICS = new LinkedHashMap<>();

    static {
        METRICS.put("crr_tps", "ClusterIP connect + 64 B request/response + close, transactions/s (TCP_CRR-like)");
        METRICS.put("crr_p50_us", "one such transaction, median µs (lower is better)");
        METRICS.put("crr_p99_us", "one such transaction, 99th percentile µs (lower is better)");
        METRICS.put("crr_slow", "transactions over 200 ms (a dropped SYN), count");
        METRICS.put("rr_tps", "64 B request/response over one connection to the ClusterIP, transactions/s (TCP_RR)");
        METRICS.put("rr_rtt_p50_us", "one round trip over that connection, median µs (lower is better)");
    }

    static final List<Goal> GOALS = List.of(
            new Goal("twill-svc-10000", "iptables-svc-10000", "crr_tps", 1.2),
            new Goal("twill-svc-10000", "twill-svc-1", "crr_tps", 0.95));

    private ServicesReport() {}

    static List<String> cases() {
        List<String> c = new ArrayList<>();
        for (int n : COUNTS) {
            c.add("twill-svc-" + n);
            c.add("iptables-svc-" + n);
        }
        return c;
    }

    public static void main(String[] args) throws IOException {
        new PairedReport(cases(), METRICS, GOALS).run(args);
    }
}
