package io.twill.agent.datapath;

import io.twill.maps.ct.CtMap;
import io.twill.maps.snat.SnatMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's half of connection tracking: every {@code interval} it deletes the expired entries of {@code twill_ct}
 * and {@code twill_snat} (the datapath treats them as absent already; deleting them frees room and NAT ports), and
 * the entries of pods deleted since the last pass, so that a new pod given a freed address inherits none of their
 * connections. One thread, {@code twill-ct-gc}.
 */
public final class CtSweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CtSweeper.class);

    private final CtMap ct;
    private final SnatMap snat;
    private final Duration interval;
    private final ScheduledExecutorService loop;
    private final Set<Inet4Address> forgotten = new HashSet<>();
    private final AtomicLong deleted = new AtomicLong(), passes = new AtomicLong();
    private volatile long lastPassMillis;

    public CtSweeper(CtMap ct, SnatMap snat, Duration interval) {
        this.ct = Objects.requireNonNull(ct, "ct");
        this.snat = Objects.requireNonNull(snat, "snat");
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
        this.interval = interval;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "twill-ct-gc");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        loop.scheduleWithFixedDelay(this::pass, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The connections of {@code ip} (a deleted pod) go at the next pass. */
    public void forget(Inet4Address ip) {
        synchronized (forgotten) {
            forgotten.add(ip);
        }
    }

    /** One pass now, on the caller's thread; returns how many entries it deleted. */
    public synchronized int pass() {
        long t0 = System.nanoTime();
        Set<Inet4Address> gone;
        synchronized (forgotten) {
            gone = Set.copyOf(forgotten);
            forgotten.clear();
        }
        int n = 0;
        try {
            long now = CtMap.monotonicSeconds();
            n += ct.sweep(now);
            n += snat.sweep(now);
            if (!gone.isEmpty()) {
                n += ct.purge(k -> gone.contains(k.addrA()) || gone.contains(k.addrB()));
                n += snat.purge(k -> gone.contains(k.saddr()) || gone.contains(k.daddr()));
            }
        } catch (RuntimeException e) {
            log.warn("Connection tracking sweep failed: {}", e.toString());
            synchronized (forgotten) {
                forgotten.addAll(gone);
            }
        }
        deleted.addAndGet(n);
        passes.incrementAndGet();
        lastPassMillis = (System.nanoTime() - t0) / 1_000_000;
        if (n > 0) log.debug("Connection tracking sweep: {} entries deleted in {} ms", n, lastPassMillis);
        return n;
    }

    /** Entries deleted by all passes so far. */
    public long deletedTotal() {
        return deleted.get();
    }

    public long passes() {
        return passes.get();
    }

    public long lastPassMillis() {
        return lastPassMillis;
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
