package io.twill.agent.service;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Keeps the datapath's Service maps equal to the cluster's Services and EndpointSlices (discovery.k8s.io/v1), as
 * kube-proxy and Cilium read them, with two Fabric8 informers.
 *
 * <p>Nothing is written until both informers have listed everything: a restarted agent that wrote a Service before
 * its EndpointSlices arrived would refuse its connections for a moment. After that first full pass (which also drops
 * frontends an earlier run left for Services that are gone) every event recomputes the one Service it concerns, on
 * one thread ({@code twill-services}), so writes happen in the order the API server reported them.
 */
public final class ServiceWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceWatcher.class);
    private static final String BY_SERVICE = "service";

    private final KubernetesClient client;
    private final ServiceTranslator translator;
    private final LbTable table;
    private final Consumer<ServiceTranslator.Problem> problems;
    private final ScheduledExecutorService loop;
    private final CountDownLatch synced = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** object/field/reason -> resourceVersion already reported, so an unchanged object is not reported again. */
    private final Map<String, String> reported = new HashMap<>();
    private volatile SharedIndexInformer<Service> services;
    private volatile SharedIndexInformer<EndpointSlice> slices;
    private volatile Duration lastFullSync = Duration.ZERO;

    public ServiceWatcher(KubernetesClient client, ServiceTranslator translator, LbTable table,
                          Consumer<ServiceTranslator.Problem> problems) {
        this.client = Objects.requireNonNull(client, "client");
        this.translator = Objects.requireNonNull(translator, "translator");
        this.table = Objects.requireNonNull(table, "table");
        this.problems = Objects.requireNonNull(problems, "problems");
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "twill-services");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts both informers and returns at once; the maps follow once both have listed the cluster. */
    public void start() {
        SharedIndexInformer<Service> svc = client.services().inAnyNamespace().runnableInformer(0);
        SharedIndexInformer<EndpointSlice> eps = client.discovery().v1().endpointSlices().inAnyNamespace()
                .runnableInformer(0);
        eps.addIndexers(Map.of(BY_SERVICE, s -> {
            String name = s.getMetadata().getLabels() == null ? null
                    : s.getMetadata().getLabels().get(ServiceTranslator.SERVICE_NAME_LABEL);
            return name == null ? List.of() : List.of(s.getMetadata().getNamespace() + "/" + name);
        }));
        for (SharedIndexInformer<?> inf : List.of(svc, eps)) {
            inf.exceptionHandler((started, t) -> {
                log.warn("{} watch failed ({}); retrying with backoff", inf.getApiTypeClass().getSimpleName(), t.toString());
                return !closed.get();
            });
        }
        svc.addEventHandler(handler(s -> ServiceTranslator.name(s)));
        eps.addEventHandler(handler(ServiceWatcher::serviceOf));
        services = svc;
        slices = eps;
        CompletableFuture.allOf(svc.start().toCompletableFuture(), eps.start().toCompletableFuture())
                .thenRun(() -> loop.execute(this::fullSync));
        log.info("Watching Services and EndpointSlices (node {}, NodePorts {}-{} on {})", translator.node().name(),
                translator.node().nodePortMin(), translator.node().nodePortMax(), translator.node().addresses());
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(java.util.function.Function<T, String> key) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed(key.apply(obj));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed(key.apply(newObj));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed(key.apply(obj));
            }
        };
    }

    private static String serviceOf(EndpointSlice s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        String name = labels == null ? null : labels.get(ServiceTranslator.SERVICE_NAME_LABEL);
        return name == null ? null : s.getMetadata().getNamespace() + "/" + name;
    }

    private void changed(String service) {
        if (service == null || closed.get()) return;
        loop.execute(() -> {
            if (synced.getCount() == 0) recompute(service);
        });
    }

    /** Recomputes one Service (namespace/name) from the informers' caches and applies it. */
    private void recompute(String key) {
        try {
            Service svc = services.getStore().getByKey(key);
            if (svc == null) {
                table.remove(key);
                return;
            }
            List<EndpointSlice> eps = slices.getIndexer().byIndex(BY_SERVICE, key);
            for (EndpointSlice s : eps) {
                if (!"IPv4".equals(s.getAddressType())) {
                    report(s, new ServiceTranslator.Problem("EndpointSlice " + s.getMetadata().getNamespace() + "/"
                            + s.getMetadata().getName(), "addressType", "unsupported_address_type", "addressType "
                            + s.getAddressType() + " is skipped (Twill load-balances IPv4)"));
                }
            }
            ServiceTranslator.Result r = translator.translate(svc, eps);
            r.problems().forEach(p -> report(svc, p));
            table.apply(key, r.frontends());
        } catch (RuntimeException e) {
            log.error("Service {}: could not be applied: {}", key, e.toString(), e);
        }
    }

    private void report(HasMetadata obj, ServiceTranslator.Problem p) {
        String id = p.object() + "|" + p.field() + "|" + p.reason();
        String rv = obj.getMetadata().getResourceVersion();
        if (Objects.equals(reported.put(id, rv == null ? "" : rv), rv == null ? "" : rv)) return;
        log.warn("{} {}: {}", p.object(), p.field(), p.message());
        problems.accept(p);
    }

    private void fullSync() {
        long t0 = System.nanoTime();
        for (Service s : services.getStore().list()) recompute(ServiceTranslator.name(s));
        int stale = table.removeUnclaimed();
        lastFullSync = Duration.ofNanos(System.nanoTime() - t0);
        log.info("Services in the datapath: {} services, {} frontends, {} backends ({} stale frontends removed) in {} ms",
                table.serviceCount(), table.frontendCount(), table.backendCount(), stale, lastFullSync.toMillis());
        synced.countDown();
    }

    /** Waits for the first full pass over the cluster's Services. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return synced.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public boolean synced() {
        return synced.getCount() == 0;
    }

    /** How long the first full pass took (0 before). */
    public Duration lastFullSync() {
        return lastFullSync;
    }

    public LbTable table() {
        return table;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        for (SharedIndexInformer<?> inf : new SharedIndexInformer<?>[]{services, slices}) {
            if (inf != null) inf.close();
        }
        loop.shutdownNow();
    }
}
