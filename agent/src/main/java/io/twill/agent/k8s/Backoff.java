package io.twill.agent.k8s;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: {@code initial}, then doubling up to {@code max}, each delay drawn from
 * [d/2, d] so that many agents retrying against one API server spread out. Not thread-safe.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private long currentNanos;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.currentNanos = initialNanos;
    }

    /** The next delay; each call doubles the base up to the maximum. */
    public Duration next() {
        long base = currentNanos;
        currentNanos = Math.min(maxNanos, currentNanos * 2);
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        return Duration.ofNanos(jittered);
    }

    /** Back to the initial delay after a success. */
    public void reset() {
        currentNanos = initialNanos;
    }
}
