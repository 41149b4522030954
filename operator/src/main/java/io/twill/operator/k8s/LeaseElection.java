package io.twill.operator.k8s;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.twill.operator.config.OperatorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs Fabric8's {@link LeaderElector} on a coordination.k8s.io Lease, round after round: a LeaderElector stops
 * for good once it loses the lease, so after a lost term a new one campaigns again. {@link #close()} cancels the
 * current round and then releases a held lease so a standby takes over at once instead of after leaseDuration.
 *
 * <p>The release is ours, not Fabric8's: in 7.8.0 {@code releaseOnCancel} sends a merge patch in which the cleared
 * holder is simply absent, so the Lease keeps naming the old holder with a fresh renewTime and standbys wait a
 * full leaseDuration. A PUT of the whole Lease with {@code holderIdentity} removed really clears it.
 */
final class LeaseElection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseElection.class);

    private final KubernetesClient client;
    private final OperatorConfig.LeaderElection config;
    private final Runnable onStart;
    private final Runnable onStop;
    private final ScheduledExecutorService executor;
    private CompletableFuture<?> round;
    private boolean closed;

    LeaseElection(KubernetesClient client, OperatorConfig.LeaderElection config, Runnable onStart, Runnable onStop) {
        this.client = client;
        this.config = config;
        this.onStart = onStart;
        this.onStop = onStop;
        this.executor = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "twill-leader-election");
            t.setDaemon(true);
            return t;
        });
    }

    synchronized void start() {
        if (closed) {
            return;
        }
        LeaderElector elector = new LeaderElectorBuilder(client, executor).withConfig(new LeaderElectionConfigBuilder()
                .withName("twill-operator")
                .withLock(new LeaseLock(config.leaseNamespace(), config.leaseName(), config.identity()))
                .withLeaseDuration(config.leaseDuration())
                .withRenewDeadline(config.renewDeadline())
                .withRetryPeriod(config.retryPeriod())
                .withReleaseOnCancel(false)
                .withLeaderCallbacks(new LeaderCallbacks(this::started, onStop, this::newLeader))
                .build()).build();
        log.info("Campaigning for lease {}/{} as {}", config.leaseNamespace(), config.leaseName(), config.identity());
        CompletableFuture<?> r = elector.start();
        round = r;
        r.whenComplete((v, t) -> {
            if (t != null && !(t instanceof CancellationException)) {
                log.warn("Leader election round ended with an error: {}", t.toString());
            }
            onStop.run();
            synchronized (this) {
                if (!closed) {
                    executor.schedule(this::start, config.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private void release() {
        try {
            Lease lease = client.leases().inNamespace(config.leaseNamespace()).withName(config.leaseName()).get();
            if (lease == null || lease.getSpec() == null || !config.identity().equals(lease.getSpec().getHolderIdentity())) {
                return;
            }
            lease.getSpec().setHolderIdentity(null);
            lease.getSpec().setLeaseDurationSeconds(1);
            lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
            client.leases().inNamespace(config.leaseNamespace()).resource(lease).update();
            log.info("Released lease {}/{}", config.leaseNamespace(), config.leaseName());
        } catch (KubernetesClientException e) {
            log.warn("Could not release lease {}/{} ({}); the other replicas take over when it expires after {}",
                    config.leaseNamespace(), config.leaseName(), e.getMessage(), config.leaseDuration());
        }
    }

    private void started() {
        log.info("Acquired lease {}/{} as {}: this replica now allocates pod CIDRs", config.leaseNamespace(),
                config.leaseName(), config.identity());
        onStart.run();
    }

    private void newLeader(String identity) {
        if (identity != null && !identity.equals(config.identity())) {
            log.info("Leader is now {}", identity);
        }
    }

    /** Stops campaigning; releases the lease if held (the stop callback runs before this returns). */
    @Override
    public void close() {
        CompletableFuture<?> r;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            r = round;
        }
        if (r != null) {
            r.cancel(true);
        }
        executor.shutdownNow();
        release();
    }
}
