package io.twill.agent.ctl;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.twill.maps.events.DatapathEvent;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * {@code twillctl monitor}: prints every drop/trace event of {@code twill_events} as it arrives, one line each (or
 * one JSON object per line), until Ctrl-C or {@code --count} events. The kernel's timestamp (CLOCK_MONOTONIC) is
 * turned into wall-clock time using this process's own monotonic clock, which on Linux is the same clock. Events that
 * were queued before the monitor started (the ring buffer keeps what nobody read) are skipped: it shows live traffic.
 *
 * <p>Only one reader should consume the ring buffer at a time: a second monitor (or the agent) steals events.
 */
final class Monitor {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final ObjectWriter LINE = Twillctl.JSON.writer().without(SerializationFeature.INDENT_OUTPUT);

    /** Set from a shutdown hook (Ctrl-C). */
    static final class Stop implements BooleanSupplier {
        private final AtomicBoolean requested = new AtomicBoolean();

        void request() {
            requested.set(true);
        }

        @Override
        public boolean getAsBoolean() {
            return requested.get();
        }
    }

    private final CtlSources sources;
    private final PrintStream out;
    private final PrintStream err;

    Monitor(CtlSources sources, PrintStream out, PrintStream err) {
        this.sources = sources;
        this.out = out;
        this.err = err;
    }

    int run(CtlOptions o, BooleanSupplier stop) {
        boolean json = o.output() == CtlOptions.Output.JSON;
        long[] seen = {0};
        long[] backlog = {0};
        long max = o.count();
        long start = System.nanoTime();
        try (CtlSources.Events events = sources.openEvents(o.pinRoot(), ev -> {
            if (ev.ktimeNs() - start < 0) {
                backlog[0]++; // queued before we started (nobody read the ring buffer): not live, skip it
                return;
            }
            if (max > 0 && seen[0] >= max) {
                return;
            }
            seen[0]++;
            out.println(format(ev, wallClock(ev.ktimeNs()), json));
        })) {
            // On stderr in both formats (stdout stays one JSON object per line): a caller can wait for this line to
            // know that events from now on will be shown.
            err.println("Listening for events on " + o.pinRoot().resolve("twill_events")
                    + (max > 0 ? " (stopping after " + max + ")" : "; Ctrl-C to stop"));
            while (!stop.getAsBoolean() && (max == 0 || seen[0] < max)) {
                events.poll(POLL);
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
            }
        }
        if (!json) {
            err.println(seen[0] + " events" + (backlog[0] == 0 ? "" : " (" + backlog[0]
                    + " older ones, queued before monitor started, skipped)"));
        }
        return Twillctl.OK;
    }

    static String format(DatapathEvent ev, Instant time, boolean json) {
        if (json) {
            try {
                return LINE.writeValueAsString(Rows.Event.of(ev, time));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot encode event " + ev + ": " + e.getMessage(), e);
            }
        }
        return time + " " + ev;
    }

    /** CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns) as wall-clock time, to the millisecond. */
    static Instant wallClock(long ktimeNs) {
        long ageNs = System.nanoTime() - ktimeNs;
        return Instant.now().minusNanos(ageNs).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }
}
