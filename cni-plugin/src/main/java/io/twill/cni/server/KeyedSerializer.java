package io.twill.cni.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Runs tasks with the same key one after another, in the order they were submitted, and tasks with different keys
 * in parallel. The caller's thread runs its own task once the previous one for the key has finished, so no pool is
 * involved (callers are virtual threads). Keys with nothing pending are forgotten.
 */
final class KeyedSerializer {
    private final ConcurrentHashMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    <T> T run(String key, Supplier<T> task) throws InterruptedException {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> previous = tails.put(key, mine);
        boolean waited = previous == null;
        try {
            if (previous != null) {
                try {
                    previous.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("serializer futures never fail", e);
                }
                waited = true;
            }
            return task.get();
        } finally {
            if (waited) {
                release(key, mine);
            } else {
                // Interrupted while waiting: whoever comes next must still wait for the task before us.
                previous.whenComplete((v, t) -> release(key, mine));
            }
        }
    }

    private void release(String key, CompletableFuture<Void> mine) {
        mine.complete(null);
        tails.remove(key, mine);
    }

    /** Keys with a task running or waiting (for tests). */
    int pendingKeys() {
        return tails.size();
    }
}
