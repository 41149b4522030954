package io.twill.bench.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.twill.api.NodeAddress;
import io.twill.bench.Args;
import io.twill.api.TwillNode;
import io.twill.bench.cni.PodChain;
import io.twill.maps.endpoints.EndpointsMap;
import io.twill.maps.tunnel.TunnelMap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * A live agent's memory and CPU at scale: {@code --nodes} remote nodes in {@code twill_tunnel} and {@code --pods}
 * endpoints in {@code twill_endpoints}, reached the way a cluster reaches them. Nodes join through the Kubernetes API
 * (a Node and a TwillNode each; the operator allocates their CIDRs, the agent's informer programs the tunnel), pods
 * through the real {@code twill-cni} shim, one network namespace each. The counts are read from the kernel's pinned
 * maps, not from the agent, and RSS and CPU from {@code /proc/<agent pid>}.
 *
 * <p>Phases: idle (one node, no pods) → join (nodes created at once, until every CIDR is in the tunnel map) → pods
 * (ADD with {@code --parallel} workers) → steady (a quiet window at full scale: CPU while idle, RSS) → pod DEL →
 * node leave (until the tunnel map holds only the local CIDR again). After each phase the agent gets {@code --settle}
 * seconds before RSS is read. Run by {@code bench/scripts/agent-scale.sh} inside the node's network namespace.
 */
public final class AgentScaleBench {
    private static final double GOAL_RSS_MIB = 200;

    record Options(long agentPid, Path pinRoot, Path kubeconfig, Path twillCni, Path socket, String nsPrefix,
                   int nodes, int pods, int parallel, int settleSeconds, int steadySeconds, Path json) {
        Options {
            if (nodes < 1 || pods < 1 || parallel < 1 || settleSeconds < 0 || steadySeconds < 1) {
                throw new IllegalArgumentException("--nodes, --pods, --parallel, --steady must be positive");
            }
            if (nodes > 250 * 250) throw new IllegalArgumentException("--nodes at most 62500 (node IPs are 10.100.x.y)");
        }

        static Options parse(String[] args) {
            Args a = Args.parse(args);
            return new Options(Long.parseLong(a.required("agent-pid")), a.requiredPath("pin-root"),
                    a.requiredPath("kubeconfig"), a.requiredPath("twill-cni"), a.requiredPath("socket"),
                    a.required("ns-prefix"), a.intOr("nodes", 5000), a.intOr("pods", 1000), a.intOr("parallel", 4),
                    a.intOr("settle", 20), a.intOr("steady", 60), a.pathOrNull("json"));
        }
    }

    /** What one phase cost the agent, and the maps and the agent's memory when it ended (after settling). */
    record Phase(String name, double seconds, double agentCpuSeconds, int tunnelEntries, int endpointEntries,
                 double rssMiB, double hwmMiB, int threads) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("seconds", seconds);
            m.put("agent_cpu_seconds", agentCpuSeconds);
            m.put("tunnel_entries", tunnelEntries);
            m.put("endpoint_entries", endpointEntries);
            m.put("rss_mib", rssMiB);
            m.put("hwm_mib", hwmMiB);
            m.put("threads", threads);
            return m;
        }
    }

    private final Options o;
    private final List<Phase> phases = new ArrayList<>();
    private final PodChain pods;
    private double steadyCores;
    private long[] addNanos;

    AgentScaleBench(Options o) {
        this.o = o;
        // As libcni sends 05-twill.conflist's entry: list name and cniVersion injected.
        this.pods = new PodChain("twill", o.nsPrefix(), List.of(new PodChain.Net("twill-cni", o.twillCni(), "eth0",
                o.twillCni().getParent().toString(), Map.of("agentSocket", o.socket().toString(), "cniVersion", "1.0.0",
                "name", "twill", "type", "twill-cni"))));
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        AgentScaleBench b = new AgentScaleBench(o);
        b.run();
        b.print();
        if (o.json() != null) {
            Files.createDirectories(o.json().toAbsolutePath().getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o.json().toFile(), b.json());
            System.out.println("wrote " + o.json());
        }
    }

    void run() throws Exception {
        for (int i = 0; i < o.pods(); i++) {
            if (!Files.exists(pods.netns(i))) throw new IllegalStateException("missing pod namespace " + pods.netns(i) + " (agent-scale.sh makes them)");
        }
        String kubeconfig = Files.readString(o.kubeconfig());
        try (KubernetesClient k8s = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(null, kubeconfig, o.kubeconfig().toString())).build();
             TunnelMap tunnel = TunnelMap.openPinned(o.pinRoot());
             EndpointsMap endpoints = EndpointsMap.openPinned(o.pinRoot());
             ExecutorService pool = Executors.newFixedThreadPool(Math.max(o.parallel(), 32))) {
            IntSupplier tunnelCount = () -> tunnel.entries().size();
            IntSupplier endpointCount = () -> endpoints.entries().size();
            int tunnel0 = tunnelCount.getAsInt(), endpoints0 = endpointCount.getAsInt();
            Runnable none = () -> { };

            phase("idle", none, () -> true, tunnelCount, endpointCount);
            phase("join", () -> all(pool, 32, o.nodes(), i -> () -> join(k8s, i)),
                    () -> tunnelCount.getAsInt() == tunnel0 + o.nodes(), tunnelCount, endpointCount);
            addNanos = new long[o.pods()];
            phase("pods", () -> all(pool, o.parallel(), o.pods(), i -> () -> addNanos[i] = pods.add(id(i), i).totalNanos()),
                    () -> endpointCount.getAsInt() == endpoints0 + o.pods(), tunnelCount, endpointCount);

            ProcSample s0 = ProcSample.read(o.agentPid());
            Thread.sleep(Duration.ofSeconds(o.steadySeconds()));
            ProcSample s1 = ProcSample.read(o.agentPid());
            steadyCores = s1.coresSince(s0);
            phases.add(new Phase("steady", (s1.nanoTime() - s0.nanoTime()) / 1e9, s1.cpuSeconds() - s0.cpuSeconds(),
                    tunnelCount.getAsInt(), endpointCount.getAsInt(), s1.rssMiB(), s1.hwmMiB(), s1.threads()));

            phase("pods-del", () -> all(pool, o.parallel(), o.pods(), i -> () -> pods.del(id(i), i)),
                    () -> endpointCount.getAsInt() == endpoints0, tunnelCount, endpointCount);
            phase("leave", () -> all(pool, 32, o.nodes(), i -> () -> leave(k8s, i)),
                    () -> tunnelCount.getAsInt() == tunnel0, tunnelCount, endpointCount);
        }
    }

    /**
     * Runs {@code work}, then waits until {@code done} (the maps show the phase's effect), then lets the agent settle
     * before RSS is read. The phase's time and CPU end when {@code done} first holds.
     */
    private void phase(String name, Runnable work, java.util.function.BooleanSupplier done, IntSupplier tunnel,
                       IntSupplier endpoints) throws InterruptedException {
        System.err.printf(Locale.ROOT, "agent-scale: phase %s%n", name);
        ProcSample before = ProcSample.read(o.agentPid());
        work.run();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("phase " + name + ": the maps did not reach their target in 10 min (tunnel "
                        + tunnel.getAsInt() + ", endpoints " + endpoints.getAsInt() + ")");
            }
            // entries() reads every element (~10,000 syscalls at 5,000 nodes): poll at 4 Hz so the harness takes a few
            // percent of a core from the API server, operator and agent it is timing.
            Thread.sleep(250);
        }
        ProcSample end = ProcSample.read(o.agentPid());
        Thread.sleep(Duration.ofSeconds(o.settleSeconds()));
        ProcSample settled = ProcSample.read(o.agentPid());
        phases.add(new Phase(name, (end.nanoTime() - before.nanoTime()) / 1e9, end.cpuSeconds() - before.cpuSeconds(),
                tunnel.getAsInt(), endpoints.getAsInt(), settled.rssMiB(), settled.hwmMiB(), settled.threads()));
    }

    /** {@code count} tasks on {@code pool}, at most {@code width} at a time; the first failure ends the phase. */
    private static void all(ExecutorService pool, int width, int count, IntFunction<Runnable> task) {
        List<Future<?>> fs = new ArrayList<>(count);
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(width);
        try {
            for (int i = 0; i < count; i++) {
                slots.acquire();
                Runnable r = task.apply(i);
                fs.add(pool.submit((Callable<Void>) () -> {
                    try {
                        r.run();
                        return null;
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Future<?> f : fs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    /** What kubelet and the node's agent would create: the Node, then its TwillNode with the InternalIP. */
    private static void join(KubernetesClient k8s, int i) {
        String name = nodeName(i), ip = nodeIp(i);
        Node node = new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress().endStatus().build();
        k8s.nodes().resource(node).create();
        k8s.resources(TwillNode.class).resource(TwillNode.create(name, List.of(NodeAddress.internalIP(ip)))).create();
    }

    private static void leave(KubernetesClient k8s, int i) {
        k8s.nodes().withName(nodeName(i)).delete();
        k8s.resources(TwillNode.class).withName(nodeName(i)).delete();
    }

    static String nodeName(int i) {
        return String.format(Locale.ROOT, "scale-%05d", i);
    }

    static String nodeIp(int i) {
        return "10.100." + (i / 250) + "." + (i % 250 + 1);
    }

    private static String id(int pod) {
        return "scale-pod-" + pod;
    }

    Phase phase(String name) {
        return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    /** Median of the ADD times of pods [from, to), in ms. */
    private double addP50(int from, int to) {
        long[] s = Arrays.copyOfRange(addNanos, from, to);
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    void print() {
        System.out.printf(Locale.ROOT, "agent at scale: %d remote nodes, %d pods (agent pid %d)%n", o.nodes(), o.pods(), o.agentPid());
        System.out.printf("%-9s %9s %9s %8s %10s %9s %9s %8s%n", "phase", "time s", "cpu s", "tunnel", "endpoints",
                "rss MiB", "peak MiB", "threads");
        for (Phase p : phases) {
            System.out.printf(Locale.ROOT, "%-9s %9.2f %9.2f %8d %10d %9.1f %9.1f %8d%n", p.name(), p.seconds(),
                    p.agentCpuSeconds(), p.tunnelEntries(), p.endpointEntries(), p.rssMiB(), p.hwmMiB(), p.threads());
        }
        Phase steady = phase("steady"), idle = phase("idle");
        int tenth = Math.max(1, o.pods() / 10);
        System.out.printf(Locale.ROOT, "at scale: RSS %.1f MiB (idle agent %.1f MiB, %.2fx), peak %.1f MiB; CPU while quiet %.2f%% of a core; "
                        + "goal RSS <= %.0f MiB %s%n", steady.rssMiB(), idle.rssMiB(), steady.rssMiB() / idle.rssMiB(),
                steady.hwmMiB(), steadyCores * 100, GOAL_RSS_MIB, steady.rssMiB() <= GOAL_RSS_MIB ? "met" : "missed");
        System.out.printf(Locale.ROOT, "join: %d nodes in the tunnel map in %.2f s (%.0f nodes/s), agent CPU %.2f s; "
                        + "pods: %.1f ADD/s with %d workers, ADD p50 first %d pods %.2f ms, last %d %.2f ms%n",
                o.nodes(), phase("join").seconds(), o.nodes() / phase("join").seconds(), phase("join").agentCpuSeconds(),
                o.pods() / phase("pods").seconds(), o.parallel(), tenth, addP50(0, tenth), tenth,
                addP50(o.pods() - tenth, o.pods()));
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nodes", o.nodes());
        m.put("pods", o.pods());
        m.put("parallel", o.parallel());
        m.put("settle_seconds", o.settleSeconds());
        m.put("phases", phases.stream().map(Phase::json).toList());
        Phase steady = phase("steady"), idle = phase("idle");
        int tenth = Math.max(1, o.pods() / 10);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rss_mib", steady.rssMiB());
        s.put("idle_rss_mib", idle.rssMiB());
        s.put("rss_ratio_to_idle", steady.rssMiB() / idle.rssMiB());
        s.put("peak_rss_mib", steady.hwmMiB());
        s.put("quiet_cpu_cores", steadyCores);
        s.put("join_seconds", phase("join").seconds());
        s.put("join_agent_cpu_seconds", phase("join").agentCpuSeconds());
        s.put("pods_add_per_second", o.pods() / phase("pods").seconds());
        s.put("add_p50_ms_first_tenth", addP50(0, tenth));
        s.put("add_p50_ms_last_tenth", addP50(o.pods() - tenth, o.pods()));
        s.put("goal_rss_mib", GOAL_RSS_MIB);
        s.put("met", steady.rssMiB() <= GOAL_RSS_MIB);
        m.put("summary", s);
        return m;
    }
}
