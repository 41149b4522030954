package io.twill.bench.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.twill.bench.Args;
import io.twill.bench.PairedReport;
import io.twill.bench.services.ServiceSet;
import io.twill.maps.Protocols;
import io.twill.maps.lb.LbBackendsMap;
import io.twill.maps.lb.LbFrontend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbServicesMap;
import io.twill.types.Ipv4;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * A live agent (kube-proxy replacement on) turning Services into maps at scale: {@code --services} ClusterIP
 * Services (10.96.0.1 upwards, port 80/TCP), each with an EndpointSlice of {@code --backends} ready endpoints of their
 * own, created through the Kubernetes API by {@code --writers} threads, as a deployment of many Services would. The
 * time runs from the first write until the node's pinned twill_lb_services holds every frontend with all its backend
 * slots (read from the kernel, not from the agent). Goal: all Services in the maps within 5 s of the first write. RSS
 * and CPU of the agent come from {@code /proc/<agent pid>}.
 *
 * <p>{@code --reps} creations, with everything deleted again in between (until the maps hold none of them; the last
 * repetition's Services go with the cluster). Each reports the time until the maps were complete, the agent's CPU meanwhile,
 * and its peer in the same pass: when a plain Fabric8 informer in this process, which only counts what it is told
 * about, had seen every object (the API server's and the watch's pace: the agent cannot be faster than the events
 * reach it), and when the writes themselves were done. Run by {@code bench/scripts/services-scale.sh} inside the
 * node's network namespace.
 */
public final class ServicesScaleBench {
    static final double GOAL_SECONDS = 5.0;
    private static final String NAMESPACE = "bench-scale";
    private static final int TARGET_PORT = 8080;
    /** Index of the first warm-up Service (svc-20000, 10.96.78.33 upwards): out of the measured ones' way. */
    private static final int WARMUP_BASE = 20_000;
    /** Endpoint addresses: 10.245.0.0 upwards, distinct for every endpoint of every Service (3 x 21,000 fit). */
    private static final int ENDPOINT_BASE = Ipv4.toInt(Ipv4.parse("10.245.0.0"));

    record Options(long agentPid, Path pinRoot, Path kubeconfig, int services, int backends, int writers, int reps,
                   int warmup, int settleSeconds, Path json) {
        Options {
            if (services < 1 || services > WARMUP_BASE) throw new IllegalArgumentException("--services must be 1.." + WARMUP_BASE);
            if (warmup < 0 || warmup > 1_000) throw new IllegalArgumentException("--warmup must be 0..1000");
            if (backends < 1 || backends > 3) throw new IllegalArgumentException("--backends must be 1..3");
            if (writers < 1 || reps < 1 || settleSeconds < 0) throw new IllegalArgumentException("--writers, --reps must be positive");
        }

        static Options parse(String[] args) {
            Args a = Args.parse(args);
            return new Options(Long.parseLong(a.required("agent-pid")), a.requiredPath("pin-root"),
                    a.requiredPath("kubeconfig"), a.intOr("services", 10_000), a.intOr("backends", 3),
                    a.intOr("writers", 16), a.intOr("reps", 1), a.intOr("warmup", 500), a.intOr("settle", 10),
                    a.pathOrNull("json"));
        }
    }

    /**
     * One create or delete pass: when the writes were done, when a plain informer had seen them all, when the maps
     * followed, what the agent used.
     */
    record Pass(double writeSeconds, double watchSeconds, double mapsSeconds, double agentCpuSeconds,
                List<double[]> progress) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("write_seconds", writeSeconds);
            m.put("watch_seconds", watchSeconds);
            m.put("maps_seconds", mapsSeconds);
            m.put("agent_cpu_seconds", agentCpuSeconds);
            m.put("progress", progress); // [seconds, objects written, Services in the maps]
            return m;
        }
    }

    /** One repetition; {@code delete} is null for the last. */
    record Rep(Pass create, ProcSample loaded, int frontends, int backends, Pass delete) {}

    private final Options o;
    private final List<Rep> reps = new ArrayList<>();
    private final EventCounter watched = new EventCounter();
    private ProcSample idle;

    ServicesScaleBench(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        ServicesScaleBench b = new ServicesScaleBench(o);
        b.run();
        b.print();
        if (o.json() != null) {
            Files.createDirectories(o.json().toAbsolutePath().getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o.json().toFile(), b.json());
            System.out.println("wrote " + o.json());
        }
    }

    void run() throws Exception {
        Config cfg = Config.fromKubeconfig(null, Files.readString(o.kubeconfig()), o.kubeconfig().toString());
        cfg.setMaxConcurrentRequests(o.writers() * 2);
        cfg.setMaxConcurrentRequestsPerHost(o.writers() * 2);
        try (KubernetesClient k8s = new KubernetesClientBuilder().withConfig(cfg).build();
             LbServicesMap services = LbServicesMap.openPinned(o.pinRoot());
             LbBackendsMap backends = LbBackendsMap.openPinned(o.pinRoot());
             ExecutorService pool = Executors.newFixedThreadPool(o.writers())) {
            if (k8s.namespaces().withName(NAMESPACE).get() == null) {
                k8s.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
            }
            var svcInformer = k8s.services().inNamespace(NAMESPACE).inform(watched.handler());
            var sliceInformer = k8s.discovery().v1().endpointSlices().inNamespace(NAMESPACE).inform(watched.handler());
            int frontends0 = services.frontends().size(), backends0 = backends.entries().size();
            // Warm up the API server, this client and the agent as on a live cluster: a few Services in and out.
            if (o.warmup() > 0) {
                System.err.printf(Locale.ROOT, "services-scale: warming up with %d Services%n", o.warmup());
                pass(pool, WARMUP_BASE, o.warmup(), i -> create(k8s, i), i -> complete(services, i), watched.adds);
                pass(pool, WARMUP_BASE, o.warmup(), i -> delete(k8s, i), i -> absent(services, i), watched.deletes);
            }
            Thread.sleep(Duration.ofSeconds(o.settleSeconds()));
            idle = ProcSample.read(o.agentPid());
            for (int rep = 1; rep <= o.reps(); rep++) {
                System.err.printf(Locale.ROOT, "services-scale: rep %d: creating %d Services%n", rep, o.services());
                Pass create = pass(pool, 0, o.services(), i -> create(k8s, i), i -> complete(services, i), watched.adds);
                // Verify the whole state once: every frontend complete, every endpoint a backend of its own.
                List<LbFrontend> all = services.frontends();
                int ours = (int) all.stream().filter(f -> ServiceSet.indexOf(f.key().addr()) >= 0
                        && f.service().count() == o.backends()).count();
                int bes = backends.entries().size() - backends0;
                if (ours != o.services() || bes != o.services() * o.backends()) {
                    throw new IllegalStateException("after creating: " + ours + " complete frontends and " + bes
                            + " backends, expected " + o.services() + " and " + o.services() * o.backends());
                }
                Thread.sleep(Duration.ofSeconds(o.settleSeconds()));
                ProcSample loaded = ProcSample.read(o.agentPid());
                Pass delete = null;
                if (rep < o.reps()) {
                    System.err.printf(Locale.ROOT, "services-scale: rep %d: deleting%n", rep);
                    delete = pass(pool, 0, o.services(), i -> delete(k8s, i), i -> absent(services, i), watched.deletes);
                    int left = services.frontends().size() - frontends0;
                    if (left != 0) throw new IllegalStateException("after deleting: " + left + " frontends left");
                    Thread.sleep(Duration.ofSeconds(o.settleSeconds()));
                }
                reps.add(new Rep(create, loaded, ours, bes, delete));
            }
            svcInformer.close();
            sliceInformer.close();
        }
    }

    /**
     * Writes object {@code i} for every Service with the pool, and meanwhile waits until {@code done} holds for every
     * i, checking each index until it holds (so each poll costs little: the agent applies events in the API
     * server's order, and the writers go through the indexes in order).
     */
    private Pass pass(ExecutorService pool, int from, int n, IntConsumer write, IntPredicate done, AtomicInteger events)
            throws Exception {
        AtomicInteger next = new AtomicInteger(), written = new AtomicInteger();
        long[] lastWrite = new long[1];
        int eventsWanted = events.get() + 2 * n;
        long watchedAll = 0;
        boolean writesReported = false;
        ProcSample before = ProcSample.read(o.agentPid());
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < o.writers(); w++) {
            fs.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    write.accept(from + i);
                    if (written.incrementAndGet() == n) lastWrite[0] = System.nanoTime();
                }
                return null;
            }));
        }
        boolean[] seen = new boolean[n];
        int cursor = 0, count = 0;
        List<double[]> progress = new ArrayList<>();
        long deadline = t0 + Duration.ofMinutes(10).toNanos(), end = 0;
        while (true) {
            for (int i = cursor; i < n; i++) {
                if (seen[i]) continue;
                if (!done.test(from + i)) break;
                seen[i] = true;
                count++;
            }
            while (cursor < n && seen[cursor]) cursor++;
            long now = System.nanoTime();
            if (!writesReported && written.get() == n) {
                writesReported = true;
                System.err.printf(Locale.ROOT, "services-scale: every object written after %.2f s%n", (now - t0) / 1e9);
            }
            if (watchedAll == 0 && events.get() >= eventsWanted) {
                watchedAll = now;
                System.err.printf(Locale.ROOT, "services-scale: a plain informer saw every object after %.2f s%n", (now - t0) / 1e9);
            }
            progress.add(new double[] {(now - t0) / 1e9, written.get(), count});
            if (count == n && end == 0) end = now;
            if (end != 0 && watchedAll != 0) break;
            for (Future<?> f : fs) if (f.isDone()) f.get(); // a failed writer ends the pass with its error
            if (now > deadline) throw new IllegalStateException("the maps did not follow in 10 min: " + count + " of "
                    + n + " done, " + written.get() + " objects written");
            Thread.sleep(20);
        }
        ProcSample after = ProcSample.read(o.agentPid());
        for (Future<?> f : fs) f.get();
        double writes = (lastWrite[0] - t0) / 1e9;
        return new Pass(writes, (watchedAll - t0) / 1e9, (end - t0) / 1e9, after.cpuSeconds() - before.cpuSeconds(),
                thin(progress));
    }

    /** Counts the add and delete events a plain informer gets: the peer of the agent's watcher. */
    static final class EventCounter {
        final AtomicInteger adds = new AtomicInteger(), deletes = new AtomicInteger();

        <T> ResourceEventHandler<T> handler() {
            return new ResourceEventHandler<>() {
                @Override
                public void onAdd(T obj) {
                    adds.incrementAndGet();
                }

                @Override
                public void onUpdate(T oldObj, T newObj) {
                    // the benchmark never updates
                }

                @Override
                public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                    deletes.incrementAndGet();
                }
            };
        }
    }

    /** At most ~100 points of the progress curve. */
    private static List<double[]> thin(List<double[]> p) {
        int step = Math.max(1, p.size() / 100);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < p.size(); i += step) out.add(p.get(i));
        if (!out.getLast().equals(p.getLast())) out.add(p.getLast());
        return out;
    }

    private boolean complete(LbServicesMap services, int i) {
        return services.lookup(key(i)).map(s -> s.count() == o.backends()).orElse(false);
    }

    private static boolean absent(LbServicesMap services, int i) {
        return services.lookup(key(i)).isEmpty();
    }

    private static LbKey key(int i) {
        return LbKey.frontend(ServiceSet.vip(i), ServiceSet.PORT, Protocols.TCP);
    }

    /** What a user and the endpoint-slice controller would create: the Service, then its EndpointSlice. */
    private void create(KubernetesClient k8s, int i) {
        String name = ServiceSet.name(i), vip = ServiceSet.vip(i).getHostAddress();
        Service svc = new ServiceBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(vip).withClusterIPs(vip)
                .addNewPort().withName("http").withProtocol("TCP").withPort(ServiceSet.PORT)
                .withNewTargetPort(TARGET_PORT).endPort().endSpec().build();
        k8s.services().inNamespace(NAMESPACE).resource(svc).create();
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(name + "-abcde")
                .withNamespace(NAMESPACE).addToLabels("kubernetes.io/service-name", name)
                .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
                .withAddressType("IPv4").addNewPort().withName("http").withProtocol("TCP").withPort(TARGET_PORT).endPort();
        for (int b = 0; b < o.backends(); b++) {
            slice.addNewEndpoint().withAddresses(Ipv4.format(ENDPOINT_BASE + i * 3 + b + 1)).withNodeName("node1")
                    .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                    .endEndpoint();
        }
        EndpointSlice built = slice.build();
        k8s.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(built).create();
    }

    private static void delete(KubernetesClient k8s, int i) {
        String name = ServiceSet.name(i);
        k8s.services().inNamespace(NAMESPACE).withName(name).delete();
        k8s.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withName(name + "-abcde").delete();
    }

    private static double median(List<Double> v) {
        return PairedReport.median(v);
    }

    private List<Double> of(java.util.function.ToDoubleFunction<Rep> f) {
        return reps.stream().map(f::applyAsDouble).toList();
    }

    void print() {
        System.out.printf(Locale.ROOT, "agent with %d Services x %d backends (agent pid %d, %d writers)%n", o.services(),
                o.backends(), o.agentPid(), o.writers());
        System.out.printf("%-4s %9s %9s %10s %10s %9s %10s %10s%n", "rep", "writes s", "watch s", "in maps s",
                "agent cpu", "rss MiB", "del watch", "del maps");
        for (int i = 0; i < reps.size(); i++) {
            Rep r = reps.get(i);
            System.out.printf(Locale.ROOT, "%-4d %9.2f %9.2f %10.2f %10.2f %9.1f %10s %10s%n", i + 1,
                    r.create().writeSeconds(), r.create().watchSeconds(), r.create().mapsSeconds(),
                    r.create().agentCpuSeconds(), r.loaded().rssMiB(),
                    r.delete() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.delete().watchSeconds()),
                    r.delete() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.delete().mapsSeconds()));
        }
        double med = median(of(r -> r.create().mapsSeconds()));
        System.out.printf(Locale.ROOT, "median: all %d Services in the maps %.2f s after the first write (a plain informer "
                        + "saw them all after %.2f s, the writes took %.2f s); goal < %.0f s %s; RSS idle %.1f MiB, "
                        + "loaded %.1f MiB (+%.1f), peak %.1f MiB%n", o.services(), med,
                median(of(r -> r.create().watchSeconds())), median(of(r -> r.create().writeSeconds())), GOAL_SECONDS,
                med < GOAL_SECONDS ? "met" : "missed", idle.rssMiB(), reps.getFirst().loaded().rssMiB(),
                reps.getFirst().loaded().rssMiB() - idle.rssMiB(), reps.getLast().loaded().hwmMiB());
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("services", o.services());
        m.put("backends_per_service", o.backends());
        m.put("writers", o.writers());
        m.put("warmup_services", o.warmup());
        m.put("settle_seconds", o.settleSeconds());
        List<Map<String, Object>> rs = new ArrayList<>();
        for (Rep r : reps) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("create", r.create().json());
            j.put("frontends", r.frontends());
            j.put("backends", r.backends());
            j.put("rss_loaded_mib", r.loaded().rssMiB());
            j.put("delete", r.delete() == null ? null : r.delete().json());
            rs.add(j);
        }
        m.put("reps", rs);
        Map<String, Object> s = new LinkedHashMap<>();
        double med = median(of(r -> r.create().mapsSeconds()));
        s.put("maps_seconds_median", med);
        s.put("maps_seconds_first", reps.getFirst().create().mapsSeconds());
        s.put("watch_seconds_median", median(of(r -> r.create().watchSeconds())));
        s.put("write_seconds_median", median(of(r -> r.create().writeSeconds())));
        s.put("lag_seconds_median", median(of(r -> r.create().mapsSeconds() - r.create().watchSeconds())));
        s.put("agent_cpu_seconds_median", median(of(r -> r.create().agentCpuSeconds())));
        s.put("idle_rss_mib", idle.rssMiB());
        s.put("loaded_rss_mib", reps.getFirst().loaded().rssMiB());
        s.put("rss_growth_mib", reps.getFirst().loaded().rssMiB() - idle.rssMiB());
        s.put("peak_rss_mib", reps.getLast().loaded().hwmMiB());
        s.put("goal_seconds", GOAL_SECONDS);
        s.put("met", med < GOAL_SECONDS);
        m.put("summary", s);
        return m;
    }
}
