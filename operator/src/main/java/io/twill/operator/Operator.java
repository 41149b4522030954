package io.twill.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.twill.operator.config.OperatorConfig;
import io.twill.operator.k8s.OperatorRuntime;
import io.twill.operator.metrics.OperatorMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One operator replica: metrics endpoint, CRD installation, leader election, and (while leader) cluster-pool IPAM
 * and node GC. {@code new Operator(config, client).start()}; {@link #close()} releases the lease.
 */
public final class Operator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Operator.class);

    private final OperatorConfig config;
    private final KubernetesClient client;
    private final boolean ownsClient;
    private final OperatorMetrics metrics = new OperatorMetrics();
    private final OperatorRuntime runtime;
    private int metricsPort = -1;

    /** Uses {@code client} (not closed by {@link #close()}). */
    public Operator(OperatorConfig config, KubernetesClient client) {
        this(config, client, false);
    }

    private Operator(OperatorConfig config, KubernetesClient client, boolean ownsClient) {
        this.config = config;
        this.client = client;
        this.ownsClient = ownsClient;
        this.runtime = new OperatorRuntime(client, config, metrics);
    }

    /** Builds its own client from {@code config.kubeconfig()} or Fabric8's defaults. */
    public static Operator withOwnClient(OperatorConfig config) {
        return new Operator(config, new KubernetesClientBuilder().withConfig(clientConfig(config)).build(), true);
    }

    static Config clientConfig(OperatorConfig config) {
        if (config.kubeconfig() == null) {
            return new ConfigBuilder().build();
        }
        Path file = Path.of(config.kubeconfig());
        try {
            return Config.fromKubeconfig(null, Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("kubeconfig: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public Operator start() {
        log.info("Starting twill-operator {}: pools {} in /{} blocks, lease {}/{} ({}), node GC {}",
                identity(), config.clusterPoolIPv4PodCIDRList(), config.clusterPoolIPv4MaskSize(),
                config.leaderElection().leaseNamespace(), config.leaderElection().leaseName(),
                config.leaderElection().enabled() ? "enabled" : "disabled",
                config.nodeGC().enabled() ? "every " + config.nodeGC().interval() : "off");
        if (config.metrics().enabled()) {
            metricsPort = metrics.serve(config.metrics().bindAddress(), config.metrics().port(), runtime::problem);
        }
        runtime.start();
        return this;
    }

    public String identity() {
        return config.leaderElection().identity();
    }

    public boolean isLeader() {
        return runtime.isLeader();
    }

    public OperatorMetrics metrics() {
        return metrics;
    }

    /** The port /metrics and /healthz are served on, or -1 when metrics are off. */
    public int metricsPort() {
        return metricsPort;
    }

    /** API calls made for IPAM writes in the current leader term. */
    public long ipamApiCalls() {
        return runtime.ipamApiCalls();
    }

    /** Clean stop: releases the lease, stops informers and writers, closes the metrics server. */
    @Override
    public void close() {
        runtime.close();
        metrics.close();
        if (ownsClient) {
            client.close();
        }
    }
}
