package io.twill.bpf;

import io.twill.bpf.internal.ErrorText;
import io.twill.types.Errno;
import io.twill.bpf.internal.Leaks;
import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.Native;
import io.twill.bpf.internal.PrintBridge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Reads a {@code BPF_MAP_TYPE_RINGBUF} map through libbpf's {@code ring_buffer}. Each record is handed to the
 * callback on the thread that calls {@link #poll} or {@link #consume}; the segment is valid only during the call.
 * An exception from the callback is logged and counted, never propagated into C. Poll from one thread, and close
 * from that thread or after it has stopped polling.
 */
public final class RingBuffer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RingBuffer.class);
    private static final MethodHandle ON_SAMPLE;

    static {
        try {
            ON_SAMPLE = MethodHandles.lookup().findVirtual(Sink.class, "onSample",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String mapName;
    private final Sink sink; // what the upcall stub holds, so an unclosed RingBuffer can still be noticed as leaked
    private final Arena arena = Arena.ofShared();
    private MemorySegment rb;
    private Leaks.Token leaks;
    private volatile boolean closed;

    private RingBuffer(String mapName, Consumer<MemorySegment> handler) {
        this.mapName = mapName;
        this.sink = new Sink(mapName, handler);
    }

    /** Opens {@code map} (a ringbuf map); {@code handler} sees each record as a segment valid during the call. */
    public static RingBuffer open(BpfMap map, Consumer<MemorySegment> handler) {
        Libbpf.ensureAvailable();
        Objects.requireNonNull(handler, "handler");
        if (map.type() != BpfMap.TYPE_RINGBUF) {
            throw new IllegalArgumentException("map " + map.name() + " is a " + map.typeName() + " map, not a ringbuf");
        }
        RingBuffer r = new RingBuffer(map.name(), handler);
        boolean ok = false;
        try {
            MemorySegment stub = Linker.nativeLinker().upcallStub(ON_SAMPLE.bindTo(r.sink), Libbpf.RING_BUFFER_SAMPLE_FN, r.arena);
            MemorySegment errno = Libbpf.newErrnoSegment(r.arena);
            PrintBridge.clear();
            MemorySegment raw = (MemorySegment) Libbpf.ring_buffer__new.invokeExact(errno, map.fd(), stub,
                    MemorySegment.NULL, MemorySegment.NULL);
            if (raw.address() == 0) throw Failures.fail("ring_buffer__new", map.name(), -Libbpf.errno(errno));
            // Freed before the stub when the arena closes (cleanups run last-registered first).
            r.rb = raw.reinterpret(r.arena, RingBuffer::free);
            r.leaks = Leaks.watch(r, "ring buffer on " + map.name());
            ok = true;
            return r;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        } finally {
            if (!ok) r.arena.close();
        }
    }

    /** Same, with each record copied into a byte[]. */
    public static RingBuffer openBytes(BpfMap map, Consumer<byte[]> handler) {
        Objects.requireNonNull(handler, "handler");
        return open(map, seg -> handler.accept(seg.toArray(JAVA_BYTE)));
    }

    /** Waits up to {@code timeout} for records and handles them; returns how many (0 on timeout or signal). */
    public int poll(Duration timeout) {
        ensureOpen();
        int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        int rc;
        try {
            rc = (int) Libbpf.ring_buffer__poll.invokeExact(rb, ms);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc == -Errno.EINTR) return 0;
        if (rc < 0) throw Failures.fail("ring_buffer__poll", mapName, rc);
        return rc;
    }

    /** Handles every record available now without waiting; returns how many. */
    public int consume() {
        ensureOpen();
        int rc;
        try {
            rc = (int) Libbpf.ring_buffer__consume.invokeExact(rb);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) throw Failures.fail("ring_buffer__consume", mapName, rc);
        return rc;
    }

    /** The epoll descriptor that becomes readable when records arrive (for an external event loop). */
    public int epollFd() {
        ensureOpen();
        try {
            return (int) Libbpf.ring_buffer__epoll_fd.invokeExact(rb);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** How many records the callback threw on. */
    public long callbackFailures() { return sink.failures.get(); }

    /** Frees the ring buffer and its callback (idempotent). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        if (leaks != null) leaks.closed();
        arena.close();
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("ring buffer on " + mapName + " is closed");
    }

    /** The upcall's target: hands records to the handler and keeps every Throwable out of C. */
    private record Sink(String mapName, Consumer<MemorySegment> handler, AtomicLong failures) {
        Sink(String mapName, Consumer<MemorySegment> handler) {
            this(mapName, handler, new AtomicLong());
        }

        @SuppressWarnings("unused") // called from C
        int onSample(MemorySegment ctx, MemorySegment data, long size) {
            try {
                handler.accept(data.reinterpret(size));
            } catch (Throwable t) {
                try {
                    if (failures.incrementAndGet() <= 10) log.warn("ring buffer {}: callback failed", mapName, t);
                } catch (Throwable ignored) {
                    // never let anything escape into C
                }
            }
            return 0;
        }
    }

    private static void free(MemorySegment rb) {
        try {
            Libbpf.ring_buffer__free.invokeExact(rb);
        } catch (Throwable t) {
            log.error("ring_buffer__free failed", t);
        }
    }
}
