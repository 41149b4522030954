package io.twill.agent.endpoint;

import java.util.concurrent.Callable;

/**
 * A piece of ADD/DEL that runs on its own virtual thread while the caller does something else, e.g. a fsync'd state
 * write overlapping netlink requests. {@link #join()} returns its result or rethrows its exception; always join a
 * fork before undoing anything it might have done.
 */
final class Fork<T> {
    private final Thread thread;
    private T result;
    private RuntimeException failure;

    private Fork(Callable<T> task) {
        this.thread = Thread.ofVirtual().name("twill-endpoint-fork").start(() -> {
            try {
                result = task.call();
            } catch (RuntimeException e) {
                failure = e;
            } catch (Exception e) {
                failure = new IllegalStateException(e);
            }
        });
    }

    static <T> Fork<T> of(Callable<T> task) {
        return new Fork<>(task);
    }

    static Fork<Void> run(Runnable task) {
        return new Fork<>(() -> {
            task.run();
            return null;
        });
    }

    T join() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the work is under way and must be accounted for; finish waiting
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure != null) throw failure;
        return result;
    }
}
