package io.twill.bench.cni;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.bench.Args;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * CNI ADD/DEL latency of Twill ({@code loopback} + {@code twill-cni}, the agent answering over its socket) against the
 * reference plugins ({@code loopback} + {@code bridge} + {@code host-local}), in one run, interleaved, every plugin
 * execution timed from outside as a runtime does it ({@link PluginExec}). Run by {@code bench/scripts/cni.sh} inside
 * the node namespace of a standalone agent, where the bridge plugin makes its bridge; every pod has its own network
 * namespace, made before the clock starts ({@code <prefix>-t-<i>}, {@code <prefix>-r-<i>}).
 *
 * <ol>
 *   <li>Floor: VERSION of twill-cni and of bridge (process start, no work) and {@code /bin/true}.</li>
 *   <li>Warm-up: ADD+DEL of {@code warmup} pods per chain, alternating (the agent's JIT warms up like a live node's).</li>
 *   <li>Sequential: ADD of {@code pods} pods per chain in blocks of {@code block} pods, the chain order alternating
 *   per block; then DEL the same way. Latency per pod (loopback + pod network) and per plugin.</li>
 *   <li>Parallel: {@code rounds} rounds; each round ADDs all pods of one chain with {@code parallel} workers, then of
 *   the other, then DELs them in the same order; the first chain alternates per round. Pods per second.</li>
 * </ol>
 *
 * <p>Usage: {@code CniBench --twill-cni BIN --socket PATH --ns-prefix P --host-local-dir DIR --metrics URL
 * [--pods 200] [--warmup 20] [--block 10] [--parallel 4] [--rounds 3] [--ref-subnet 10.91.0.0/22] [--json FILE]}
 */
public final class CniBench {
    static final Path CNI_DIR = Path.of("/usr/lib/cni");

    record Options(Path twillCni, Path socket, String nsPrefix, Path hostLocalDir, URI metrics, int pods, int warmup,
                   int block, int parallel, int rounds, String refSubnet, Path json) {
        Options {
            if (pods < 1 || warmup < 0 || block < 1 || parallel < 1 || rounds < 1) throw new IllegalArgumentException("counts must be positive");
            if (warmup > pods) throw new IllegalArgumentException("--warmup " + warmup + " > --pods " + pods + " (warm-up reuses the pods' namespaces)");
        }

        static Options parse(String[] args) {
            Args a = Args.parse(args);
            return new Options(a.requiredPath("twill-cni"), a.requiredPath("socket"), a.required("ns-prefix"),
                    a.requiredPath("host-local-dir"), URI.create(a.required("metrics")), a.intOr("pods", 200),
                    a.intOr("warmup", 20), a.intOr("block", 10), a.intOr("parallel", 4), a.intOr("rounds", 3),
                    a.or("ref-subnet", "10.91.0.0/22"), a.pathOrNull("json"));
        }
    }

    private final Options o;
    private final PodChain twill, ref;
    private final AgentMetrics metrics;

    CniBench(Options o) {
        this.o = o;
        Map<String, Object> lo = Map.of("cniVersion", "1.0.0", "name", "lo", "type", "loopback");
        PodChain.Net loT = new PodChain.Net("loopback", CNI_DIR.resolve("loopback"), "lo", CNI_DIR.toString(), lo);
        PodChain.Net loR = new PodChain.Net("loopback", CNI_DIR.resolve("loopback"), "lo", CNI_DIR.toString(), lo);
        // As libcni sends 05-twill.conflist's entry: list name and cniVersion injected.
        PodChain.Net tw = new PodChain.Net("twill-cni", o.twillCni(), "eth0", o.twillCni().getParent() + ":" + CNI_DIR,
                Map.of("agentSocket", o.socket().toString(), "cniVersion", "1.0.0", "name", "twill", "type", "twill-cni"));
        // The reference: a bridge with the gateway on it, host-local addresses, no masquerading (Twill does none).
        PodChain.Net br = new PodChain.Net("bridge", CNI_DIR.resolve("bridge"), "eth0", CNI_DIR.toString(), Map.of(
                "cniVersion", "1.0.0", "name", "bench", "type", "bridge", "bridge", "cni0", "isGateway", true, "ipMasq", false,
                "ipam", Map.of("type", "host-local", "dataDir", o.hostLocalDir().toString(),
                        "ranges", List.of(List.of(Map.of("subnet", o.refSubnet()))), "routes", List.of(Map.of("dst", "0.0.0.0/0")))));
        twill = new PodChain("twill", o.nsPrefix() + "-t", List.of(loT, tw));
        ref = new PodChain("reference", o.nsPrefix() + "-r", List.of(loR, br));
        metrics = new AgentMetrics(o.metrics());
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        CniReport report = new CniBench(o).run();
        report.print(System.out);
        if (o.json() != null) {
            Files.createDirectories(o.json().toAbsolutePath().getParent());
            Files.writeString(o.json(), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
            System.out.println("wrote " + o.json());
        }
    }

    CniReport run() throws Exception {
        for (int i = 0; i < o.pods(); i++) {
            if (!Files.exists(twill.netns(i)) || !Files.exists(ref.netns(i))) {
                throw new IllegalStateException("missing pod namespace " + twill.netns(i) + " or " + ref.netns(i) + " (cni.sh makes them)");
            }
        }
        CniReport r = new CniReport(o, Files.readString(Path.of("/proc/loadavg")).strip());

        // 1. Floor: process start with no work.
        for (int i = 0; i < 30; i++) {
            r.floor("twill-cni VERSION", twill.version().nanos());
            r.floor("bridge VERSION", ref.version().nanos());
            r.floor("/bin/true", PluginExec.run(Path.of("/bin/true"), Map.of(), "").nanos());
        }
        // 2. Warm-up.
        for (int i = 0; i < o.warmup(); i++) {
            for (PodChain c : order(i)) {
                String id = id(c, "w", i);
                c.add(id, i);
                c.del(id, i);
            }
        }
        // 3. Sequential, interleaved blocks.
        AgentMetrics.Snapshot before = metrics.scrape();
        int blocks = (o.pods() + o.block() - 1) / o.block();
        for (String verb : List.of("ADD", "DEL")) {
            for (int b = 0; b < blocks; b++) {
                for (PodChain c : order(b)) {
                    for (int i = b * o.block(); i < Math.min(o.pods(), (b + 1) * o.block()); i++) {
                        String id = id(c, "s", i);
                        r.sequential(c.name, verb, verb.equals("ADD") ? c.add(id, i) : c.del(id, i));
                    }
                }
            }
        }
        AgentMetrics.Snapshot after = metrics.scrape();
        r.agent("sequential", after.verb("ADD").minus(before.verb("ADD")), after.verb("DEL").minus(before.verb("DEL")));

        // 4. Parallel rounds.
        before = after;
        for (int round = 0; round < o.rounds(); round++) {
            List<PodChain> ord = order(round);
            for (String verb : List.of("ADD", "DEL")) {
                for (PodChain c : ord) r.parallel(c.name, verb, parallel(c, verb, "p" + round));
            }
        }
        after = metrics.scrape();
        r.agent("parallel", after.verb("ADD").minus(before.verb("ADD")), after.verb("DEL").minus(before.verb("DEL")));

        // Nothing may be left: no Twill endpoint, no host-local lease.
        r.leftovers(after.endpoints(), hostLocalLeases());
        return r;
    }

    /** All pods of one chain through {@code verb} with {@code parallel} workers; wall time and per-pod times. */
    private CniReport.Batch parallel(PodChain c, String verb, String tag) throws Exception {
        List<Future<PodChain.Timing>> fs = new ArrayList<>(o.pods());
        long t0, t1;
        try (ExecutorService pool = Executors.newFixedThreadPool(o.parallel())) {
            t0 = System.nanoTime();
            for (int i = 0; i < o.pods(); i++) {
                final int pod = i;
                String id = id(c, tag, pod);
                fs.add(pool.submit(() -> verb.equals("ADD") ? c.add(id, pod) : c.del(id, pod)));
            }
            List<PodChain.Timing> ts = new ArrayList<>(fs.size());
            for (Future<PodChain.Timing> f : fs) ts.add(f.get());
            t1 = System.nanoTime();
            return new CniReport.Batch(t1 - t0, ts);
        }
    }

    /** Twill first on even blocks/rounds, the reference first on odd ones. */
    private List<PodChain> order(int k) {
        return k % 2 == 0 ? List.of(twill, ref) : List.of(ref, twill);
    }

    private static String id(PodChain c, String phase, int pod) {
        return "bench-" + c.name.charAt(0) + "-" + phase + "-" + pod;
    }

    /** host-local keeps one file per leased address (named by the IP) next to last_reserved_ip.* and lock. */
    private long hostLocalLeases() throws java.io.IOException {
        long n = 0;
        if (!Files.isDirectory(o.hostLocalDir())) return 0;
        try (var nets = Files.list(o.hostLocalDir())) {
            for (Path net : nets.toList()) {
                try (var files = Files.list(net)) {
                    n += files.map(f -> f.getFileName().toString()).filter(f -> f.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).count();
                }
            }
        }
        return n;
    }
}
