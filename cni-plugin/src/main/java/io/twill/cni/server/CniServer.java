package io.twill.cni.server;

import io.twill.cni.CniEngine;
import io.twill.cni.CniException;
import io.twill.cni.CniInvocation;
import io.twill.cni.CniResponse;
import io.twill.cni.CniVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's end of the twill-cni socket: accepts request frames (PROTOCOL.md), runs them through the
 * {@link CniEngine} and answers. Requests for different containers run in parallel on virtual threads; requests
 * for the same container id run strictly in the order they arrived. Before it accepts anything it replays the
 * shim's deletion queue, and it looks at the queue again every {@code queueScanInterval}.
 *
 * <p>The socket is bound under a temporary name, chmod-ed 0600 and renamed into place, so it is never reachable with
 * looser permissions, and a stale socket from a dead agent is replaced atomically. A live agent on the same path is
 * an error. {@link #close()} stops accepting, lets requests in flight finish (up to {@code closeGrace}) and removes
 * the socket file if it is still ours.
 */
public final class CniServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CniServer.class);

    private final CniServerConfig config;
    private final CniEngine engine;
    private final ServerSocketChannel server;
    private final Object socketKey;
    private final KeyedSerializer serializer = new KeyedSerializer();
    private final DeleteQueue queue;
    private final Semaphore slots;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watchdog;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread acceptor;
    private final Thread scanner;

    private CniServer(CniServerConfig config, CniEngine engine, ServerSocketChannel server, Object socketKey) {
        this.config = config;
        this.engine = engine;
        this.server = server;
        this.socketKey = socketKey;
        this.slots = new Semaphore(config.maxConnections());
        this.queue = new DeleteQueue(config.queueDir(), this::run);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("twill-cni-watchdog").factory());
        this.acceptor = Thread.ofVirtual().name("twill-cni-accept").unstarted(this::acceptLoop);
        this.scanner = Thread.ofVirtual().name("twill-cni-queue").unstarted(this::scanLoop);
    }

    /**
     * Binds the socket, drains the deletion queue, then starts serving. Fails (IllegalStateException naming the
     * path) when another process is listening there or the path holds something other than a socket.
     */
    public static CniServer start(CniServerConfig config, CniEngine engine) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(engine, "engine");
        Path path = config.socketPath();
        ServerSocketChannel ch = bind(path);
        CniServer s;
        try {
            s = new CniServer(config, engine, ch, fileKey(path));
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
        s.queue.drain();
        s.acceptor.start();
        s.scanner.start();
        log.info("CNI server listening on {}", path);
        return s;
    }

    public Path socketPath() { return config.socketPath(); }

    /** Replays the deletion queue now (it is also replayed at start and every queueScanInterval). */
    public DeleteQueue.Drained drainDeleteQueue() {
        return queue.drain();
    }

    private static ServerSocketChannel bind(Path path) {
        try {
            Path dir = path.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) refuseIfLive(path);
            Path tmp = dir.resolve("." + path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            boolean viaTmp = tmp.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 107;
            Path bindPath = viaTmp ? tmp : path;
            Files.deleteIfExists(bindPath);
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.bind(UnixDomainSocketAddress.of(bindPath), 128);
                Files.setPosixFilePermissions(bindPath, PosixFilePermissions.fromString("rw-------"));
                if (viaTmp) Files.move(bindPath, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
                Files.deleteIfExists(bindPath);
                throw e;
            }
            return ch;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on CNI socket " + path + ": " + e, e);
        }
    }

    private static void refuseIfLive(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isOther()) {
            throw new IllegalStateException("cannot listen on CNI socket " + path + ": the path exists and is not a socket");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new IllegalStateException("cannot listen on CNI socket " + path
                    + ": another process is serving it (is a second agent running?)");
        } catch (IOException e) {
            log.info("replacing stale CNI socket {} ({})", path, e.getMessage());
        }
    }

    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat CNI socket " + path, e);
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel client;
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                client = server.accept();
            } catch (IOException e) {
                slots.release();
                if (!closed.get()) log.error("CNI socket {}: accept failed, no longer serving: {}", config.socketPath(), e.toString());
                return;
            }
            open.add(client);
            Thread.ofVirtual().name("twill-cni-conn").start(() -> serve(client));
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            CniInvocation inv;
            ScheduledFuture<?> timer = arm(client);
            try {
                inv = Frames.readRequest(client, false);
            } catch (FrameException e) {
                log.warn("CNI socket {}: malformed request: {}", config.socketPath(), e.getMessage());
                answer(client, CniEngine.error(CniVersion.LATEST, new CniException(CniException.IO_FAILURE,
                        "malformed request from twill-cni: " + e.getMessage(),
                        "twill-cni and the agent may be of different versions; reinstall twill-cni from the agent's image")));
                return;
            } finally {
                timer.cancel(false);
            }
            CniResponse response = run(inv);
            answer(client, response);
        } catch (EOFException | ClosedChannelException e) {
            log.debug("CNI client went away: {}", e.toString());
        } catch (IOException e) {
            log.info("CNI connection failed: {}", e.toString());
        } finally {
            open.remove(client);
            slots.release();
        }
    }

    private void answer(SocketChannel client, CniResponse response) throws IOException {
        ScheduledFuture<?> timer = arm(client);
        try {
            Frames.writeResponse(client, response);
        } finally {
            timer.cancel(false);
        }
    }

    /** Closes the channel if the client has not finished sending (or taking the answer) in time. */
    private ScheduledFuture<?> arm(SocketChannel client) {
        return watchdog.schedule(() -> {
            log.warn("CNI client on {} too slow (over {}), disconnecting", config.socketPath(), config.ioTimeout());
            closeQuietly(client);
        }, config.ioTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs one invocation in its container's order (unordered when there is no container id). */
    private CniResponse run(CniInvocation inv) {
        String key = inv.containerId();
        if (key.isEmpty()) return engine.handle(inv);
        try {
            return serializer.run(key, () -> engine.handle(inv));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CniEngine.error(CniVersion.LATEST, CniException.tryAgainLater("the Twill agent is shutting down", ""));
        }
    }

    private void scanLoop() {
        long ms = config.queueScanInterval().toMillis();
        while (!closed.get()) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                return;
            }
            if (closed.get()) return;
            try {
                queue.drain();
            } catch (RuntimeException e) {
                log.error("CNI deletion queue {}: drain failed", queue.dir(), e);
            }
        }
    }

    /** Connections being served (for tests and metrics). */
    public int openConnections() {
        return open.size();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        closeQuietly(server);
        scanner.interrupt();
        acceptor.interrupt();
        long deadline = System.nanoTime() + config.closeGrace().toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!open.isEmpty()) log.warn("CNI server closing with {} requests still in flight", open.size());
        open.forEach(CniServer::closeQuietly);
        watchdog.shutdownNow();
        try {
            acceptor.join(1000);
            scanner.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path path = config.socketPath();
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, socketKey)) Files.deleteIfExists(path);
            else log.info("CNI socket {} now belongs to another process; leaving it", path);
        } catch (IOException e) {
            log.debug("CNI socket {} already gone: {}", path, e.toString());
        }
        log.info("CNI server on {} closed", path);
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            log.debug("close failed: {}", e.toString());
        }
    }
}
