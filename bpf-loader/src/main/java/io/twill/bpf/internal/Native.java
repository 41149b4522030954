package io.twill.bpf.internal;

import java.lang.foreign.MemorySegment;

/** Small helpers shared by the bindings: C strings and rethrowing what a {@code MethodHandle} declared. */
public final class Native {
    private Native() {}

    /** The NUL-terminated string at {@code ptr}, or null for NULL. */
    public static String string(MemorySegment ptr) {
        if (ptr == null || ptr.address() == 0) return null;
        return ptr.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Unchecked form of what an {@code invokeExact} threw. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native call failed", t);
    }
}
