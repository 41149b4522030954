package io.twill.netlink.internal;

import io.twill.netlink.NetlinkException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/**
 * One long-lived platform thread that runs short tasks inside a given network namespace: setns(target), run,
 * setns(back to its home namespace). Starting a thread per task (as {@code NetNs.call} does) costs 0.1–2 ms on a
 * loaded machine; two setns calls cost a few microseconds. Used for opening sockets in pod namespaces on the CNI
 * path. The thread never stays in a target namespace between tasks (that would keep a deleted namespace alive);
 * if it cannot return home it reports the failure and ends, and the next task starts a fresh thread.
 * Tasks run one at a time: keep them short and non-blocking.
 */
public final class NetNsWorker {
    private static final Logger log = LoggerFactory.getLogger(NetNsWorker.class);
    private static final Object LOCK = new Object();
    private static Worker current;

    private NetNsWorker() {}

    /** Runs {@code task} inside the namespace at {@code nsPath} and returns its result; its exception is rethrown. */
    public static <T> T call(Path nsPath, Supplier<T> task) {
        if (!Files.exists(nsPath)) {
            throw new NetlinkException("setns", nsPath.toString(), 2, "network namespace " + nsPath + " does not exist");
        }
        Job<T> job = new Job<>(nsPath, task);
        synchronized (LOCK) {
            if (current == null || !current.thread.isAlive() || current.broken) current = new Worker();
            current.queue.add(job);
        }
        try {
            return job.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a task in " + nsPath, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        }
    }

    private record Job<T>(Path nsPath, Supplier<T> task, CompletableFuture<T> result) {
        Job(Path nsPath, Supplier<T> task) {
            this(nsPath, task, new CompletableFuture<>());
        }
    }

    private static final class Worker implements Runnable {
        final LinkedBlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
        final Thread thread;
        volatile boolean broken;

        Worker() {
            thread = Thread.ofPlatform().daemon().name("twill-netns-worker").start(this);
        }

        @Override
        public void run() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment err = LibC.errnoSegment(arena);
                int home = LibC.open(err, arena.allocateFrom("/proc/thread-self/ns/net"), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
                if (home < 0) {
                    broken = true;
                    fail(new NetlinkException("open", "/proc/thread-self/ns/net", LibC.errno(err), "cannot open own netns"));
                    return;
                }
                try {
                    loop(arena, err, home);
                } finally {
                    LibC.close(err, home);
                }
            }
        }

        private void loop(Arena arena, MemorySegment err, int home) {
            while (true) {
                Job<?> job;
                try {
                    job = queue.take();
                } catch (InterruptedException e) {
                    broken = true;
                    fail(new IllegalStateException("netns worker interrupted"));
                    return;
                }
                if (!runOne(job, arena, err, home)) {
                    broken = true;
                    fail(new IllegalStateException("netns worker could not return to its namespace"));
                    return;
                }
            }
        }

        /** False when the thread could not get back home and must end. */
        private static <T> boolean runOne(Job<T> job, Arena arena, MemorySegment err, int home) {
            int fd = LibC.open(err, arena.allocateFrom(job.nsPath().toString()), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            if (fd < 0) {
                job.result().completeExceptionally(new NetlinkException("open", job.nsPath().toString(), LibC.errno(err),
                        "cannot open network namespace " + job.nsPath()));
                return true;
            }
            try {
                if (LibC.setns(err, fd, LibC.CLONE_NEWNET) != 0) {
                    int e = LibC.errno(err);
                    job.result().completeExceptionally(new NetlinkException("setns", job.nsPath().toString(), e,
                            "cannot enter network namespace " + job.nsPath() + (e == 1 ? " (needs CAP_SYS_ADMIN)" : "")));
                    return true;
                }
            } finally {
                LibC.close(err, fd);
            }
            try {
                job.result().complete(job.task().get());
            } catch (Throwable t) {
                job.result().completeExceptionally(t);
            }
            if (LibC.setns(err, home, LibC.CLONE_NEWNET) != 0) {
                log.error("netns worker cannot return to its home namespace: errno {}; replacing the thread", LibC.errno(err));
                return false;
            }
            return true;
        }

        private void fail(RuntimeException e) {
            for (Job<?> j; (j = queue.poll()) != null; ) j.result().completeExceptionally(e);
        }
    }
}
