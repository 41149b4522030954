package io.twill.bench.cni;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects {@link CniBench}'s samples; prints the table and builds the JSON (medians, p99, min/max, ratios). */
final class CniReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CHAINS = List.of("twill", "reference");
    private static final List<String> VERBS = List.of("ADD", "DEL");

    /** Order statistics of a sample, in milliseconds (p99: nearest rank), and the sorted sample for the charts. */
    record Stats(int n, double p50, double p99, double min, double max, double mean, double[] sortedMs) {
        static Stats of(long[] nanos) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            int n = s.length;
            double mean = Arrays.stream(s).average().orElse(Double.NaN) / 1e6;
            return new Stats(n, pct(s, 0.50), pct(s, 0.99), s[0] / 1e6, s[n - 1] / 1e6, mean,
                    Arrays.stream(s).mapToDouble(v -> round(v / 1e6)).toArray());
        }

        private static double pct(long[] sorted, double q) {
            int idx = (int) Math.ceil(q * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
        }

        ObjectNode json() {
            ObjectNode o = JSON.createObjectNode();
            o.put("n", n);
            o.put("p50_ms", round(p50));
            o.put("p99_ms", round(p99));
            o.put("min_ms", round(min));
            o.put("max_ms", round(max));
            o.put("mean_ms", round(mean));
            var a = o.putArray("samples_ms");
            for (double v : sortedMs) a.add(v);
            return o;
        }
    }

    /** One parallel batch: wall time and the per-pod timings inside it. */
    record Batch(long wallNanos, List<PodChain.Timing> pods) {
        double podsPerSecond() {
            return pods.size() / (wallNanos / 1e9);
        }
    }

    private final CniBench.Options o;
    private final String loadBefore;
    private final Map<String, List<Long>> floor = new LinkedHashMap<>();
    private final Map<String, List<PodChain.Timing>> seq = new LinkedHashMap<>();
    private final Map<String, List<Batch>> par = new LinkedHashMap<>();
    private final Map<String, AgentMetrics.Verb[]> agent = new LinkedHashMap<>();
    private double leftoverEndpoints = Double.NaN;
    private long leftoverLeases = -1;

    CniReport(CniBench.Options o, String loadBefore) {
        this.o = o;
        this.loadBefore = loadBefore;
    }

    void floor(String what, long nanos) {
        floor.computeIfAbsent(what, k -> new ArrayList<>()).add(nanos);
    }

    void sequential(String chain, String verb, PodChain.Timing t) {
        seq.computeIfAbsent(chain + " " + verb, k -> new ArrayList<>()).add(t);
    }

    void parallel(String chain, String verb, Batch b) {
        par.computeIfAbsent(chain + " " + verb, k -> new ArrayList<>()).add(b);
    }

    void agent(String phase, AgentMetrics.Verb add, AgentMetrics.Verb del) {
        agent.put(phase, new AgentMetrics.Verb[] {add, del});
    }

    void leftovers(double twillEndpoints, long hostLocalLeases) {
        leftoverEndpoints = twillEndpoints;
        leftoverLeases = hostLocalLeases;
    }

    /** Pod time (all networks) or one network's time ({@code net} = index in the chain) of a sequential sample. */
    Stats seqStats(String chain, String verb, int net) {
        List<PodChain.Timing> ts = seq.get(chain + " " + verb);
        return Stats.of(ts.stream().mapToLong(t -> net < 0 ? t.totalNanos() : t.nanos()[net]).toArray());
    }

    Stats parStats(String chain, String verb) {
        return Stats.of(par.get(chain + " " + verb).stream().flatMap(b -> b.pods().stream()).mapToLong(PodChain.Timing::totalNanos).toArray());
    }

    double[] podsPerSecond(String chain, String verb) {
        return par.get(chain + " " + verb).stream().mapToDouble(Batch::podsPerSecond).sorted().toArray();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "CNI latency: %d pods per chain, interleaved blocks of %d, after %d warm-up pods; load average before: %s%n",
                o.pods(), o.block(), o.warmup(), loadBefore);
        out.printf(Locale.ROOT, "%-34s %8s %8s %8s %8s %8s%n", "sequential (ms)", "p50", "p99", "min", "max", "mean");
        for (String verb : VERBS) {
            row(out, verb + " twill  (loopback + twill-cni)", seqStats("twill", verb, -1));
            row(out, verb + " ref    (loopback + bridge)", seqStats("reference", verb, -1));
            row(out, verb + "   twill-cni alone", seqStats("twill", verb, 1));
            row(out, verb + "   bridge (+host-local) alone", seqStats("reference", verb, 1));
            row(out, verb + "   loopback (twill chain)", seqStats("twill", verb, 0));
            row(out, verb + "   loopback (ref chain)", seqStats("reference", verb, 0));
        }
        for (String verb : VERBS) {
            Stats t = seqStats("twill", verb, -1), r = seqStats("reference", verb, -1);
            Stats tp = seqStats("twill", verb, 1), rp = seqStats("reference", verb, 1);
            out.printf(Locale.ROOT, "ratio twill/reference %s: pod p50 %.2fx, p99 %.2fx; plugin alone p50 %.2fx, p99 %.2fx%s%n",
                    verb, t.p50() / r.p50(), t.p99() / r.p99(), tp.p50() / rp.p50(), tp.p99() / rp.p99(),
                    t.p50() <= r.p50() ? "  (goal <= 1.0x met)" : "  (goal <= 1.0x MISSED)");
        }
        out.printf(Locale.ROOT, "%nparallel, %d workers, %d rounds of %d pods per chain%n", o.parallel(), o.rounds(), o.pods());
        for (String verb : VERBS) {
            double[] t = podsPerSecond("twill", verb), r = podsPerSecond("reference", verb);
            out.printf(Locale.ROOT, "%s pods/s  twill %.1f [%.1f-%.1f]  ref %.1f [%.1f-%.1f]  ratio %.2fx;  per pod p50 twill %.2f ms, ref %.2f ms%n",
                    verb, median(t), t[0], t[t.length - 1], median(r), r[0], r[r.length - 1], median(t) / median(r),
                    parStats("twill", verb).p50(), parStats("reference", verb).p50());
        }
        out.printf(Locale.ROOT, "%nwhere Twill's time goes (agent's twill_cni_request_duration_seconds, mean of successful calls)%n");
        agent.forEach((phase, v) -> out.printf(Locale.ROOT, "%-10s agent ADD %.2f ms (%d calls), DEL %.2f ms (%d calls)%n",
                phase, v[0].meanMillis(), v[0].count(), v[1].meanMillis(), v[1].count()));
        AgentMetrics.Verb[] s = agent.get("sequential");
        if (s != null) {
            out.printf(Locale.ROOT, "outside the agent (twill-cni mean - agent mean: exec, socket, frames): ADD %.2f ms, DEL %.2f ms%n",
                    seqStats("twill", "ADD", 1).mean() - s[0].meanMillis(), seqStats("twill", "DEL", 1).mean() - s[1].meanMillis());
        }
        out.printf(Locale.ROOT, "%n%-34s %8s %8s %8s %8s%n", "process floor (ms)", "p50", "p99", "min", "max");
        floor.forEach((k, v) -> {
            Stats f = Stats.of(v.stream().mapToLong(Long::longValue).toArray());
            out.printf(Locale.ROOT, "%-34s %8.2f %8.2f %8.2f %8.2f%n", k, f.p50(), f.p99(), f.min(), f.max());
        });
        out.printf(Locale.ROOT, "left over after the run: %.0f Twill endpoints, %d host-local leases%n", leftoverEndpoints, leftoverLeases);
    }

    private static void row(PrintStream out, String label, Stats s) {
        out.printf(Locale.ROOT, "%-34s %8.2f %8.2f %8.2f %8.2f %8.2f%n", label, s.p50(), s.p99(), s.min(), s.max(), s.mean());
    }

    ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("benchmark", "cni");
        root.put("date", Instant.now().toString());
        root.put("load_average_before", loadBefore);
        root.put("cpus", Runtime.getRuntime().availableProcessors());
        ObjectNode cfg = root.putObject("config");
        cfg.put("pods", o.pods()).put("warmup", o.warmup()).put("block", o.block()).put("parallel", o.parallel()).put("rounds", o.rounds());
        cfg.put("twill", "loopback + twill-cni (shim -> agent socket)").put("reference", "loopback + bridge + host-local (" + CniBench.CNI_DIR + ")");
        ObjectNode sq = root.putObject("sequential");
        ObjectNode ratio = root.putObject("ratio_twill_over_reference");
        for (String verb : VERBS) {
            ObjectNode v = sq.putObject(verb);
            for (String chain : CHAINS) {
                ObjectNode c = v.putObject(chain);
                c.set("pod", seqStats(chain, verb, -1).json());
                c.set("loopback", seqStats(chain, verb, 0).json());
                c.set(chain.equals("twill") ? "twill-cni" : "bridge", seqStats(chain, verb, 1).json());
            }
            Stats t = seqStats("twill", verb, -1), r = seqStats("reference", verb, -1);
            ObjectNode rv = ratio.putObject(verb);
            rv.put("pod_p50", round(t.p50() / r.p50())).put("pod_p99", round(t.p99() / r.p99()));
            rv.put("plugin_p50", round(seqStats("twill", verb, 1).p50() / seqStats("reference", verb, 1).p50()));
            rv.put("goal_p50_le_1", t.p50() <= r.p50());
        }
        ObjectNode pr = root.putObject("parallel");
        for (String verb : VERBS) {
            ObjectNode v = pr.putObject(verb);
            for (String chain : CHAINS) {
                ObjectNode c = v.putObject(chain);
                double[] pps = podsPerSecond(chain, verb);
                c.put("pods_per_s_median", round(median(pps)));
                var arr = c.putArray("pods_per_s_rounds");
                for (double x : pps) arr.add(round(x));
                c.set("pod", parStats(chain, verb).json());
            }
            v.put("ratio_pods_per_s", round(median(podsPerSecond("twill", verb)) / median(podsPerSecond("reference", verb))));
        }
        ObjectNode ag = root.putObject("agent_side");
        agent.forEach((phase, v) -> {
            ObjectNode p = ag.putObject(phase);
            p.put("add_mean_ms", round(v[0].meanMillis())).put("add_calls", v[0].count());
            p.put("del_mean_ms", round(v[1].meanMillis())).put("del_calls", v[1].count());
        });
        ObjectNode fl = root.putObject("floor");
        floor.forEach((k, v) -> fl.set(k, Stats.of(v.stream().mapToLong(Long::longValue).toArray()).json()));
        root.putObject("leftovers").put("twill_endpoints", leftoverEndpoints).put("host_local_leases", leftoverLeases);
        return root;
    }

    private static double round(double x) {
        return Double.isFinite(x) ? Math.round(x * 1000) / 1000.0 : x;
    }
}
