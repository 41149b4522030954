package io.twill.operator.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.twill.operator.config.OperatorConfig;
import io.twill.operator.metrics.OperatorMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The Kubernetes side of one operator replica: installs the CRD, campaigns for the lease, and while leading runs a
 * {@link LeaderSession}. Without leader election it leads from the start.
 */
public final class OperatorRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OperatorRuntime.class);

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final OperatorMetrics metrics;
    private final TwillNodeWriter writer;
    private LeaseElection election;
    private LeaderSession session;
    private boolean closed;

    public OperatorRuntime(KubernetesClient client, OperatorConfig config, OperatorMetrics metrics) {
        this.client = client;
        this.config = config;
        this.metrics = metrics;
        this.writer = new TwillNodeWriter(client, config.eventNamespace(), config.leaderElection().identity());
    }

    public void start() {
        if (config.installCRDs()) {
            CrdInstaller.install(client);
        }
        metrics.leader(false);
        if (config.leaderElection().enabled()) {
            LeaseElection e = new LeaseElection(client, config.leaderElection(), this::startLeading, this::stopLeading);
            synchronized (this) {
                election = e;
            }
            e.start();
        } else {
            log.info("Leader election disabled: this replica allocates pod CIDRs (run exactly one)");
            startLeading();
        }
    }

    private synchronized void startLeading() {
        if (closed || session != null) {
            return;
        }
        session = new LeaderSession(client, config, metrics, writer);
        session.start();
        metrics.leader(true);
    }

    private synchronized void stopLeading() {
        if (session == null) {
            return;
        }
        log.info("No longer leading: pod CIDR allocation and node GC stopped on {}", config.leaderElection().identity());
        session.close();
        session = null;
        metrics.leader(false);
    }

    public synchronized boolean isLeader() {
        return session != null;
    }

    /** API calls the current leader term made for IPAM writes (0 when not leading). */
    public synchronized long ipamApiCalls() {
        return session == null ? 0 : session.apiCalls();
    }

    /** Why this replica is unhealthy, if it is. */
    public synchronized Optional<String> problem() {
        if (closed) {
            return Optional.of("operator stopped");
        }
        return session == null ? Optional.empty() : session.failure();
    }

    /** Stops: releases the lease (so a standby takes over at once), stops IPAM and GC. */
    @Override
    public void close() {
        LeaseElection e;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            e = election;
        }
        if (e != null) {
            e.close();
        }
        stopLeading();
    }
}
