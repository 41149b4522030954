package io.twill.netlink;

import io.twill.netlink.internal.LibC;
import io.twill.netlink.internal.NetNsWorker;
import io.twill.types.Errno;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Running code inside a network namespace given by path ({@code /run/netns/x}, {@code /proc/<pid>/ns/net}).
 *
 * <p>{@code setns(2)} changes the namespace of the calling OS thread only. So {@link #call} runs the task on a
 * fresh platform thread that enters the namespace, runs the task and is then discarded; the caller's thread and
 * every pooled or virtual thread stay where they were. Sockets (netlink included) created by the task belong to
 * that namespace for their whole life, so they may be handed back and used from any thread.
 */
public final class NetNs {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private NetNs() {}

    /** Runs {@code task} inside the namespace at {@code nsPath} and returns its result; its exception is rethrown. */
    public static <T> T call(Path nsPath, Callable<T> task) {
        Objects.requireNonNull(nsPath, "nsPath");
        Objects.requireNonNull(task, "task");
        if (!Files.exists(nsPath)) {
            throw new NetlinkException("setns", nsPath.toString(), 2, "network namespace " + nsPath + " does not exist");
        }
        var result = new Object[1];
        var failure = new Throwable[1];
        Thread t = Thread.ofPlatform().name("netns-" + THREADS.incrementAndGet()).unstarted(() -> {
            try {
                enter(nsPath);
                result[0] = task.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for netns task in " + nsPath, e);
        }
        if (failure[0] != null) {
            Throwable f = failure[0];
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error err) throw err;
            if (f instanceof IOException io) throw new UncheckedIOException(io);
            throw new IllegalStateException(new ExecutionException(f));
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }

    /** Runs {@code task} inside the namespace at {@code nsPath}. */
    public static void run(Path nsPath, ThrowingRunnable task) {
        call(nsPath, () -> {
            task.run();
            return null;
        });
    }

    /**
     * The cookie of the calling thread's network namespace ({@code SO_NETNS_COOKIE}, Linux 5.14): a 64-bit id the
     * kernel never reuses while it runs, the same number BPF programs get from {@code bpf_get_netns_cookie}. The
     * socket hooks key {@code twill_lb_netns} by it.
     */
    public static long currentCookie() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = LibC.errnoSegment(arena);
            int fd = LibC.socket(err, LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            if (fd < 0) throw new NetlinkException("socket", "AF_INET/SOCK_DGRAM", LibC.errno(err), "for SO_NETNS_COOKIE");
            try {
                MemorySegment cookie = arena.allocate(ValueLayout.JAVA_LONG);
                MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
                len.set(ValueLayout.JAVA_INT, 0, 8);
                if (LibC.getsockopt(err, fd, LibC.SOL_SOCKET, LibC.SO_NETNS_COOKIE, cookie, len) != 0) {
                    int e = LibC.errno(err);
                    throw new NetlinkException("getsockopt", "SO_NETNS_COOKIE", e,
                            e == Errno.ENOPROTOOPT ? "this kernel has no SO_NETNS_COOKIE (Linux 5.14 or newer)" : "cannot read the netns cookie");
                }
                return cookie.get(ValueLayout.JAVA_LONG, 0);
            } finally {
                LibC.close(err, fd);
            }
        }
    }

    /**
     * The cookie of the network namespace at {@code nsPath} ({@code /run/netns/x}, {@code /proc/<pid>/ns/net}), read
     * by a thread that enters it for the call (the shared {@link io.twill.netlink.internal.NetNsWorker}, no thread
     * per call).
     */
    public static long cookie(Path nsPath) {
        Objects.requireNonNull(nsPath, "nsPath");
        return NetNsWorker.call(nsPath, NetNs::currentCookie);
    }

    /** The path of a named namespace made by {@code ip netns add name}. */
    public static Path named(String name) {
        return Path.of("/run/netns", name);
    }

    /**
     * Moves the calling thread into the namespace at {@code nsPath}. Only for threads that are discarded
     * afterwards or that belong to that namespace for good; prefer {@link #call}.
     */
    public static void enter(Path nsPath) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = LibC.errnoSegment(arena);
            int fd = LibC.open(err, arena.allocateFrom(nsPath.toString()), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            if (fd < 0) {
                int e = LibC.errno(err);
                throw new NetlinkException("open", nsPath.toString(), e, "cannot open network namespace " + nsPath);
            }
            try {
                if (LibC.setns(err, fd, LibC.CLONE_NEWNET) != 0) {
                    int e = LibC.errno(err);
                    throw new NetlinkException("setns", nsPath.toString(), e,
                            "cannot enter network namespace " + nsPath + (e == 1 ? " (needs CAP_SYS_ADMIN)" : ""));
                }
            } finally {
                LibC.close(err, fd);
            }
        }
    }

    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }
}
