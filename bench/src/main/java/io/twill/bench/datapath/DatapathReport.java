package io.twill.bench.datapath;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Summarises the samples of bench/scripts/datapath.sh: per topology and metric the median, min and max over the
 * interleaved rounds; for each Twill case against its peer the ratio of medians and the min/max of the per-round
 * (paired) ratios; and the goals. Writes JSON and prints a table.
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

    record Goal(String twill, String peer, String metric, double min) {}

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
        if (args.length < 2) throw new IllegalArgumentException("usage: DatapathReport SAMPLES.tsv OUT.json [key=value...]");
        // case -> metric -> round -> value
        Map<String, Map<String, TreeMap<Integer, Double>>> data = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split("\\s+");
            if (f.length != 4) throw new IllegalArgumentException("bad sample line: " + line);
            data.computeIfAbsent(f[1], k -> new LinkedHashMap<>()).computeIfAbsent(f[2], k -> new TreeMap<>())
                    .put(Integer.parseInt(f[0]), Double.parseDouble(f[3]));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            meta.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        json.put("meta", meta);
        json.put("metrics", METRICS);

        Map<String, Object> cases = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%-16s %-14s %14s %14s %14s %8s%n", "case", "metric", "median", "min", "max", "spread"));
        for (String c : CASES) {
            Map<String, TreeMap<Integer, Double>> byMetric = data.get(c);
            if (byMetric == null) continue;
            Map<String, Object> cm = new LinkedHashMap<>();
            for (String m : METRICS.keySet()) {
                TreeMap<Integer, Double> s = byMetric.get(m);
                if (s == null || s.isEmpty()) continue;
                double med = median(new ArrayList<>(s.values())), min = min(s.values()), max = max(s.values());
                Map<String, Object> st = new LinkedHashMap<>();
                st.put("samples", new ArrayList<>(s.values()));
                st.put("median", med);
                st.put("min", min);
                st.put("max", max);
                st.put("spread", med == 0 ? 0 : (max - min) / med);
                cm.put(m, st);
                table.append(String.format(Locale.ROOT, "%-16s %-14s %14s %14s %14s %7.0f%%%n", c, m, fmt(med), fmt(min),
                        fmt(max), med == 0 ? 0 : 100 * (max - min) / med));
            }
            cases.put(c, cm);
        }
        json.put("cases", cases);

        List<Map<String, Object>> goals = new ArrayList<>();
        table.append(String.format(Locale.ROOT, "%n%-16s %-14s %-14s %8s %18s %6s %s%n", "twill", "vs", "metric", "ratio",
                "paired min..max", "goal", "met"));
        for (Goal g : GOALS) {
            TreeMap<Integer, Double> t = series(data, g.twill(), g.metric()), p = series(data, g.peer(), g.metric());
            if (t == null || p == null) continue;
            double ratio = median(new ArrayList<>(t.values())) / median(new ArrayList<>(p.values()));
            List<Double> paired = new ArrayList<>();
            for (var e : t.entrySet()) {
                Double peer = p.get(e.getKey());
                if (peer != null && peer > 0) paired.add(e.getValue() / peer);
            }
            Map<String, Object> gj = new LinkedHashMap<>();
            gj.put("twill", g.twill());
            gj.put("peer", g.peer());
            gj.put("metric", g.metric());
            gj.put("ratio_of_medians", ratio);
            gj.put("paired_ratios", paired);
            gj.put("goal", g.min());
            gj.put("met", ratio >= g.min());
            goals.add(gj);
            table.append(String.format(Locale.ROOT, "%-16s %-14s %-14s %8.3f %8.3f..%-8.3f %6.2f %s%n", g.twill(), g.peer(),
                    g.metric(), ratio, min(paired), max(paired), g.min(), ratio >= g.min() ? "yes" : "NO"));
        }
        json.put("goals", goals);
        Path out = Path.of(args[1]);
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json);
        System.out.print(table);
        System.out.println("\nJSON: " + out);
    }

    private static TreeMap<Integer, Double> series(Map<String, Map<String, TreeMap<Integer, Double>>> d, String c, String m) {
        var byMetric = d.get(c);
        return byMetric == null ? null : byMetric.get(m);
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double min(Iterable<Double> v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) m = Math.min(m, x);
        return m;
    }

    static double max(Iterable<Double> v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        return m;
    }

    private static String fmt(double v) {
        return v >= 1000 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
