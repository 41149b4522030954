package io.twill.cni.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the agent's CNI socket server.
 *
 * @param socketPath        where twill-cni connects; created 0600, parent directories made (0700) if missing
 * @param ioTimeout         how long a client may take to send its request, or to take the answer
 * @param maxConnections    concurrent connections served; more wait in the listen backlog
 * @param queueScanInterval how often the deletion queue is looked at again after the drain at start
 * @param closeGrace        how long close() lets requests in flight finish
 */
public record CniServerConfig(Path socketPath, Duration ioTimeout, int maxConnections, Duration queueScanInterval,
                              Duration closeGrace) {
    public static final Path DEFAULT_SOCKET = Path.of("/var/run/twill/twill.sock");
    /** The shim keeps queued DELs in this directory next to the socket. */
    public static final String QUEUE_DIR_NAME = "delete-queue";

    public CniServerConfig {
        Objects.requireNonNull(socketPath, "socketPath");
        if (!socketPath.isAbsolute()) throw new IllegalArgumentException("socketPath must be absolute: " + socketPath);
        if (socketPath.toString().getBytes(StandardCharsets.UTF_8).length > 107) {
            throw new IllegalArgumentException("socketPath longer than the 107 bytes a Unix socket path may have: " + socketPath);
        }
        requirePositive(ioTimeout, "ioTimeout");
        requirePositive(queueScanInterval, "queueScanInterval");
        Objects.requireNonNull(closeGrace, "closeGrace");
        if (closeGrace.isNegative()) throw new IllegalArgumentException("closeGrace must not be negative");
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
    }

    public static CniServerConfig defaults() {
        return at(DEFAULT_SOCKET);
    }

    public static CniServerConfig at(Path socketPath) {
        return new CniServerConfig(socketPath, Duration.ofSeconds(10), 256, Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    public CniServerConfig withQueueScanInterval(Duration interval) {
        return new CniServerConfig(socketPath, ioTimeout, maxConnections, interval, closeGrace);
    }

    public CniServerConfig withIoTimeout(Duration timeout) {
        return new CniServerConfig(socketPath, timeout, maxConnections, queueScanInterval, closeGrace);
    }

    /** {@code <socket dir>/delete-queue}, where twill-cni writes DELs it could not deliver. */
    public Path queueDir() {
        return socketPath.resolveSibling(QUEUE_DIR_NAME);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
}
