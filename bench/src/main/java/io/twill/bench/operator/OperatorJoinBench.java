package io.twill.bench.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import io.twill.operator.Operator;
import io.twill.operator.config.OperatorConfig;
import io.twill.mockapi.MockApiServer;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * N TwillNodes join at once (as N agents starting together would) against the Fabric8 mock API server; measures
 * the time until every one carries a pod CIDR as seen by a watch, and the API calls the operator spent.
 *
 * <p>Peer in the same run: an "oracle" controller that needs no watch and no table; it knows each node's CIDR and
 * writes exactly what the operator writes (one merge patch of the spec, guarded by the resourceVersion) as soon as
 * the node is created, with the same write concurrency. Its time is the floor this API server allows; the ratio says how close
 * the operator comes. Repetitions alternate which side goes first.
 *
 * <pre>java -cp ... io.twill.bench.operator.OperatorJoinBench [NODES=5000] [REPS=3] [AGENTS=32] [OUT.json]</pre>
 */
public final class OperatorJoinBench {

    private static final int WRITE_CONCURRENCY = 16;

    private record Run(String side, int nodes, long createdMs, long allocatedMs, long calls,
                       Map<String, Long> byMethod, int distinct) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-8s nodes=%d all-created=%6d ms  all-cidrs=%6d ms  "
                    + "api-calls(excl. the creates)=%d %s distinct-cidrs=%d", side, nodes, createdMs, allocatedMs,
                    calls, byMethod, distinct);
        }
    }

    private OperatorJoinBench() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int agents = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        System.err.printf("operator join bench: %d nodes, %d agent threads, %d repetitions, write concurrency %d%n",
                nodes, agents, reps, WRITE_CONCURRENCY);
        List<Run> ops = new ArrayList<>();
        List<Run> oracles = new ArrayList<>();
        for (int r = 1; r <= reps; r++) {
            if (r % 2 == 1) {
                ops.add(print(runOperator(nodes, agents)));
                oracles.add(print(runOracle(nodes, agents)));
            } else {
                oracles.add(print(runOracle(nodes, agents)));
                ops.add(print(runOperator(nodes, agents)));
            }
        }
        long op = median(ops.stream().map(Run::allocatedMs).toList());
        long oracle = median(oracles.stream().map(Run::allocatedMs).toList());
        System.out.printf(Locale.ROOT, "RESULT operator-join nodes=%d median all-cidrs=%d ms, oracle %d ms, "
                        + "operator/oracle %.2f; operator api-calls=%d (%.2f per node); goal <10000 ms %s%n", nodes, op,
                oracle, (double) op / oracle, ops.getLast().calls(), (double) ops.getLast().calls() / nodes,
                op < 10_000 ? "met" : "missed");
        if (args.length > 3) {
            java.nio.file.Path out = java.nio.file.Path.of(args[3]);
            java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
            Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("nodes", nodes);
            json.put("agents", agents);
            json.put("write_concurrency", WRITE_CONCURRENCY);
            json.put("operator", stats(ops));
            json.put("oracle", stats(oracles));
            json.put("ratio_of_medians", (double) op / oracle);
            json.put("api_calls_per_node", (double) ops.getLast().calls() / nodes);
            json.put("distinct_cidrs", ops.getLast().distinct());
            json.put("goal_ms", 10_000);
            json.put("met", op < 10_000);
            new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
            System.out.println("wrote " + out);
        }
    }

    /** Time until every node had its CIDR: each repetition, median, min, max (ms). */
    private static Map<String, Object> stats(List<Run> runs) {
        List<Long> ms = runs.stream().map(Run::allocatedMs).toList();
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("samples_ms", ms);
        m.put("median_ms", median(ms));
        m.put("min_ms", java.util.Collections.min(ms));
        m.put("max_ms", java.util.Collections.max(ms));
        return m;
    }

    private static Run print(Run r) {
        System.out.println(r);
        return r;
    }

    private static Run runOperator(int nodes, int agents) throws Exception {
        try (MockApiServer mock = MockApiServer.start(InetAddress.getLoopbackAddress(), 0, true, false);
             KubernetesClient opClient = mock.client();
             KubernetesClient agentClient = mock.client();
             KubernetesClient watchClient = mock.client()) {
            OperatorConfig config = new OperatorConfig(List.of("10.0.0.0/8"), 24, null, true,
                    new OperatorConfig.LeaderElection(true, "twill-operator", "default", "bench", null, null, null),
                    new OperatorConfig.Metrics(false, null, null), new OperatorConfig.NodeGC(false, null), "default",
                    WRITE_CONCURRENCY);
            try (Operator operator = new Operator(config, opClient).start()) {
                // warm: leader, informer synced and one allocation done before the clock starts
                agentClient.resources(TwillNode.class).resource(node("warmup")).create();
                await(() -> hasCidr(agentClient, "warmup"), Duration.ofSeconds(60), "warm-up allocation");
                return measure("operator", mock, agentClient, watchClient, nodes, agents, (i, created) -> { });
            }
        }
    }

    private static Run runOracle(int nodes, int agents) throws Exception {
        try (MockApiServer mock = MockApiServer.start(InetAddress.getLoopbackAddress(), 0, true, false);
             KubernetesClient writerClient = mock.client();
             KubernetesClient agentClient = mock.client();
             KubernetesClient watchClient = mock.client()) {
            agentClient.resources(TwillNode.class).resource(node("warmup")).create();
            ExecutorService writers = Executors.newFixedThreadPool(WRITE_CONCURRENCY);
            try {
                return measure("oracle", mock, agentClient, watchClient, nodes, agents, (i, created) -> writers.execute(() -> {
                    String cidr = "10." + (i >> 8) + "." + (i & 0xFF) + ".0/24";
                    writerClient.resources(TwillNode.class).resource(created).patch(PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"resourceVersion\":\"" + created.getMetadata().getResourceVersion()
                                    + "\"},\"spec\":{\"ipam\":{\"podCIDRs\":[\"" + cidr + "\"]}}}");
                }));
            } finally {
                writers.shutdownNow();
            }
        }
    }

    /** Creates the nodes from {@code agents} threads; {@code afterCreate} runs for each created node. */
    private static Run measure(String side, MockApiServer mock, KubernetesClient agentClient,
                               KubernetesClient watchClient, int nodes, int agents,
                               BiConsumer<Integer, TwillNode> afterCreate)
            throws Exception {
        Set<String> withCidr = ConcurrentHashMap.newKeySet();
        Map<String, String> cidrs = new ConcurrentHashMap<>();
        CountDownLatch allCidrs = new CountDownLatch(nodes);
        SharedIndexInformer<TwillNode> watch = watchClient.resources(TwillNode.class).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(TwillNode n) {
                see(n);
            }

            @Override
            public void onUpdate(TwillNode o, TwillNode n) {
                see(n);
            }

            @Override
            public void onDelete(TwillNode n, boolean unknown) {
            }

            private void see(TwillNode n) {
                if (!n.nodeName().startsWith("node-")) {
                    return;
                }
                if (!n.getSpec().podCIDRs().isEmpty() && withCidr.add(n.nodeName())) {
                    cidrs.put(n.nodeName(), n.getSpec().podCIDRs().getFirst());
                    allCidrs.countDown();
                }
            }
        }, 0);
        try {
            long callsBefore = mock.requests();
            Map<String, Long> before = mock.requestsByMethod();
            ExecutorService agentPool = Executors.newFixedThreadPool(agents);
            CountDownLatch created = new CountDownLatch(nodes);
            long t0 = System.nanoTime();
            for (int i = 0; i < nodes; i++) {
                int idx = i;
                agentPool.execute(() -> {
                    TwillNode made = agentClient.resources(TwillNode.class).resource(node("node-" + idx)).create();
                    created.countDown();
                    afterCreate.accept(idx, made);
                });
            }
            created.await();
            long tCreated = System.nanoTime();
            if (!allCidrs.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(side + ": only " + withCidr.size() + " of " + nodes + " got a CIDR in 120 s");
            }
            long tAllocated = System.nanoTime();
            agentPool.shutdown();
            Map<String, Long> after = mock.requestsByMethod();
            Map<String, Long> delta = new java.util.TreeMap<>();
            after.forEach((k, v) -> {
                long dv = v - before.getOrDefault(k, 0L) - (k.equals("POST") ? nodes : 0);
                if (dv != 0) {
                    delta.put(k, dv);
                }
            });
            long calls = mock.requests() - callsBefore - nodes;
            return new Run(side, nodes, ms(tCreated - t0), ms(tAllocated - t0), calls, delta,
                    new HashSet<>(cidrs.values()).size());
        } finally {
            watch.close();
        }
    }

    private static TwillNode node(String name) {
        return TwillNode.create(name, List.of(NodeAddress.internalIP("192.168.0.1")));
    }

    private static boolean hasCidr(KubernetesClient c, String name) {
        TwillNode n = c.resources(TwillNode.class).withName(name).get();
        return n != null && !n.getSpec().podCIDRs().isEmpty();
    }

    private static void await(java.util.function.BooleanSupplier cond, Duration max, String what)
            throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
