package io.twill.bench;

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
 * The summary of a benchmark that measures cases in interleaved rounds (bench/scripts/datapath.sh, services.sh): per
 * case and metric the median, min and max over the rounds; for each goal (a Twill case against its peer) the ratio of
 * medians and the min/max of the per-round (paired) ratios. Writes JSON and prints a table.
 *
 * <pre>{@code new PairedReport(cases, metrics, goals).run(new String[] {"SAMPLES.tsv", "OUT.json", "key=value", ...})}</pre>
 * SAMPLES.tsv lines: {@code round case metric value}. JSON: {@code meta}, {@code metrics} (description of each),
 * {@code cases} (case -> metric -> samples, median, min, max, spread), {@code goals}.
 */
public final class PairedReport {
    /** Twill case {@code twill} against {@code peer} on {@code metric}: the ratio of medians must reach {@code min}. */
    public record Goal(String twill, String peer, String metric, double min) {}

    private final List<String> cases;
    private final Map<String, String> metrics;
    private final List<Goal> goals;

    /** {@code cases} in report order; {@code metrics}: name -> description, in report order. */
    public PairedReport(List<String> cases, Map<String, String> metrics, List<Goal> goals) {
        this.cases = List.copyOf(cases);
        this.metrics = new LinkedHashMap<>(metrics);
        this.goals = List.copyOf(goals);
    }

    public void run(String[] args) throws IOException {
        if (args.length < 2) throw new IllegalArgumentException("usage: SAMPLES.tsv OUT.json [key=value...]");
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
        json.put("metrics", metrics);

        int width = Math.max(16, cases.stream().mapToInt(String::length).max().orElse(0));
        Map<String, Object> out = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%-" + width + "s %-14s %14s %14s %14s %8s%n", "case", "metric", "median",
                "min", "max", "spread"));
        for (String c : cases) {
            Map<String, TreeMap<Integer, Double>> byMetric = data.get(c);
            if (byMetric == null) continue;
            Map<String, Object> cm = new LinkedHashMap<>();
            for (String m : metrics.keySet()) {
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
                table.append(String.format(Locale.ROOT, "%-" + width + "s %-14s %14s %14s %14s %7.0f%%%n", c, m, fmt(med),
                        fmt(min), fmt(max), med == 0 ? 0 : 100 * (max - min) / med));
            }
            out.put(c, cm);
        }
        json.put("cases", out);

        List<Map<String, Object>> gs = new ArrayList<>();
        table.append(String.format(Locale.ROOT, "%n%-" + width + "s %-" + width + "s %-14s %8s %18s %6s %s%n", "twill", "vs",
                "metric", "ratio", "paired min..max", "goal", "met"));
        for (Goal g : goals) {
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
            gs.add(gj);
            table.append(String.format(Locale.ROOT, "%-" + width + "s %-" + width + "s %-14s %8.3f %8.3f..%-8.3f %6.2f %s%n",
                    g.twill(), g.peer(), g.metric(), ratio, min(paired), max(paired), g.min(), ratio >= g.min() ? "yes" : "NO"));
        }
        json.put("goals", gs);
        Path file = Path.of(args[1]);
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        System.out.print(table);
        System.out.println("\nJSON: " + file);
    }

    private static TreeMap<Integer, Double> series(Map<String, Map<String, TreeMap<Integer, Double>>> d, String c, String m) {
        var byMetric = d.get(c);
        return byMetric == null ? null : byMetric.get(m);
    }

    public static double median(List<Double> v) {
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
