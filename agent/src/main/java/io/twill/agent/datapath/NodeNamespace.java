package io.twill.agent.datapath;

import io.twill.netlink.NetNs;
import io.twill.netlink.RtNetlink;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Where the node's own networking lives, and a way to run the few kernel calls that resolve devices against the
 * calling thread's network namespace (TC/TCX attach by ifindex, sysctls). In production the agent process is in the
 * node's namespace and {@link #current()} runs those calls inline. Tests that run agent components in-process for a
 * simulated node use {@link #at(Path)}: one dedicated platform thread that entered the node's namespace at start
 * runs them (never a pooled or virtual thread, whose namespace would be whatever its carrier's is).
 */
public final class NodeNamespace implements AutoCloseable {
    private final Path path;
    private final ExecutorService thread;

    private NodeNamespace(Path path, ExecutorService thread) {
        this.path = path;
        this.thread = thread;
    }

    /** The calling process's own namespace (the agent runs in the node's). */
    public static NodeNamespace current() {
        return new NodeNamespace(null, null);
    }

    /** The namespace at {@code netns}, served by a dedicated thread inside it. */
    public static NodeNamespace at(Path netns) {
        ExecutorService t = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("twill-node-ns").factory());
        try {
            t.submit(() -> NetNs.enter(netns)).get();
        } catch (InterruptedException e) {
            t.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while entering " + netns, e);
        } catch (ExecutionException e) {
            t.shutdownNow();
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
        return new NodeNamespace(netns, t);
    }

    /** The namespace file, or null for the process's own. */
    public Path path() {
        return path;
    }

    /** An rtnetlink socket in the node's namespace (usable from any thread). */
    public RtNetlink openNetlink() {
        return path == null ? RtNetlink.open() : RtNetlink.openIn(path);
    }

    /** Runs {@code task} on a thread in the node's namespace and returns its result; its exception is rethrown. */
    public <T> T call(Callable<T> task) {
        if (thread == null) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Future<T> f = thread.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a task in " + path, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        }
    }

    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    @Override
    public void close() {
        if (thread != null) thread.shutdownNow();
    }

    @Override
    public String toString() {
        return path == null ? "the agent's network namespace" : "network namespace " + path;
    }
}
