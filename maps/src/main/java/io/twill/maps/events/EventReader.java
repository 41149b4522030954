package io.twill.maps.events;

import io.twill.bpf.BpfMap;
import io.twill.bpf.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reads {@code twill_events}: each ring-buffer record is decoded into a {@link DropEvent} or {@link TraceEvent} and
 * handed to the consumer on the polling thread. Records that do not decode are counted ({@link #undecodable()}),
 * never thrown into the ring buffer's C callback. Poll from one thread; {@link #close()} when that thread is done.
 */
public final class EventReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventReader.class);
    public static final String MAP_NAME = "twill_events";

    private final BpfMap map;
    private final RingBuffer ring;
    private final AtomicLong undecodable = new AtomicLong();

    private EventReader(BpfMap map, Consumer<? super DatapathEvent> handler) {
        this.map = map;
        this.ring = RingBuffer.open(map, record -> {
            DatapathEvent e;
            try {
                e = DatapathEvent.decode(record);
            } catch (IllegalArgumentException bad) {
                if (undecodable.incrementAndGet() <= 10) log.warn("twill_events: {}", bad.getMessage());
                return;
            }
            handler.accept(e);
        });
    }

    /** Reads from {@code map}, which this reader then owns (closes with it). */
    public static EventReader open(BpfMap map, Consumer<? super DatapathEvent> handler) {
        Objects.requireNonNull(handler, "handler");
        try {
            return new EventReader(map, handler);
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
    }

    /** Opens {@code <pinRoot>/twill_events}. */
    public static EventReader openPinned(Path pinRoot, Consumer<? super DatapathEvent> handler) {
        return open(BpfMap.openPinned(pinRoot.resolve(MAP_NAME)), handler);
    }

    /** Waits up to {@code timeout} for events and delivers them; returns how many records were read. */
    public int poll(Duration timeout) {
        return ring.poll(timeout);
    }

    /** Delivers what is there now without waiting. */
    public int consume() {
        return ring.consume();
    }

    /** Records that were not a known event. */
    public long undecodable() {
        return undecodable.get();
    }

    @Override
    public void close() {
        try {
            ring.close();
        } finally {
            map.close();
        }
    }
}
