package io.twill.bench.maps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Summarises the JSON lines of interleaved MapBench / map_bench runs: per operation and implementation the median,
 * min and max rate over the repetitions, and the Java/C ratio of the medians. Writes a small JSON file and prints a
 * table.
 *
 * <pre>MapBenchReport RUNS.jsonl OUT.json</pre>
 */
public final class MapBenchReport {
    static final List<String> OPS = List.of("update", "lookup", "batch_update", "batch_lookup",
            "cpu_update", "cpu_lookup", "cpu_batch_update", "cpu_batch_lookup");

    private MapBenchReport() {}

    /** Median, min and max of one operation's rates over the repetitions. */
    record Stats(double median, double min, double max, int n) {
        static Stats of(List<Double> xs) {
            double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (a.length == 0) throw new IllegalArgumentException("no samples");
            double med = a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
            return new Stats(med, a[0], a[a.length - 1], a.length);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: MapBenchReport RUNS.jsonl OUT.json");
            System.exit(2);
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>(); // impl -> op -> rates
        JsonNode params = null;
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank()) continue;
            JsonNode run = json.readTree(line);
            params = run;
            var byOp = samples.computeIfAbsent(run.get("impl").asText(), k -> new LinkedHashMap<>());
            for (String op : OPS) byOp.computeIfAbsent(op, k -> new ArrayList<>()).add(run.get(op).asDouble());
        }
        if (!samples.containsKey("java") || !samples.containsKey("c")) {
            throw new IllegalStateException("need runs of both java and c in " + args[0]);
        }
        ObjectNode out = json.createObjectNode();
        out.put("benchmark", "bpf hash map, 4-byte key, 32-byte value");
        out.put("entries", params.get("entries").asInt());
        out.put("batch", params.get("batch").asInt());
        out.put("passes", params.get("passes").asInt());
        out.put("repetitions", samples.get("java").get("update").size());
        out.put("unit", "elements per second; plain names by wall clock, cpu_* by the measuring thread's CPU time");
        ObjectNode ops = out.putObject("operations");
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-13s %14s %14s %14s %14s %8s%n",
                "operation", "java median", "java min-max", "c median", "c min-max", "java/c"));
        for (String op : OPS) {
            Stats j = Stats.of(samples.get("java").get(op)), c = Stats.of(samples.get("c").get(op));
            double ratio = j.median() / c.median();
            ObjectNode o = ops.putObject(op);
            o.set("java", stats(json, j));
            o.set("c", stats(json, c));
            o.put("ratio_java_over_c", Math.round(ratio * 1000) / 1000.0);
            table.append(String.format(Locale.ROOT, "%-13s %14s %14s %14s %14s %8.3f%n", op, k(j.median()),
                    k(j.min()) + "-" + k(j.max()), k(c.median()), k(c.min()) + "-" + k(c.max()), ratio));
        }
        Files.createDirectories(Path.of(args[1]).toAbsolutePath().getParent());
        json.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[1]).toFile(), out);
        System.out.print(table);
        System.out.println("rates in elements/s (k = thousands); cpu_* use the thread's CPU time; wrote " + args[1]);
    }

    private static ObjectNode stats(ObjectMapper json, Stats s) {
        ObjectNode o = json.createObjectNode();
        o.put("median", Math.round(s.median()));
        o.put("min", Math.round(s.min()));
        o.put("max", Math.round(s.max()));
        return o;
    }

    private static String k(double rate) {
        return String.format(Locale.ROOT, "%.0fk", rate / 1000);
    }

}
