package io.twill.bpf.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Notices owners of kernel objects that become unreachable without {@code close()} and logs them. It only logs: the
 * descriptors stay open until the process exits (closing them from a GC thread could close a number that has since
 * been reused). Owners call {@link #watch} when made and {@link Token#closed()} when closed.
 */
public final class Leaks {
    private static final Logger log = LoggerFactory.getLogger(Leaks.class);
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong REPORTED = new AtomicLong();

    private Leaks() {}

    /** Handed to an owner; {@link #closed()} marks it properly released. */
    public static final class Token {
        private final State state;
        private final Cleaner.Cleanable cleanable;

        private Token(Object owner, String what) {
            this.state = new State(what);
            this.cleanable = CLEANER.register(owner, state);
        }

        public void closed() {
            state.closed = true;
            cleanable.clean();
        }
    }

    /** Starts watching {@code owner}, described as {@code what} in the warning. */
    public static Token watch(Object owner, String what) {
        return new Token(owner, what);
    }

    /** How many leaks were reported so far (for tests). */
    public static long reported() {
        return REPORTED.get();
    }

    private static final class State implements Runnable {
        private final String what;
        volatile boolean closed;

        State(String what) { this.what = what; }

        @Override
        public void run() {
            if (closed) return;
            REPORTED.incrementAndGet();
            log.warn("{} was garbage-collected without close(); its kernel objects stay until the process exits", what);
        }
    }
}
