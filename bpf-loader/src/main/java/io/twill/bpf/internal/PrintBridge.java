package io.twill.bpf.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * The one {@code libbpf_set_print} callback. It formats each message with the C library, logs it to the SLF4J logger
 * "libbpf" and appends it to a per-thread buffer; the next exception made on that thread drains the buffer, so the
 * verifier log and the kernel's extack text end up in the exception. It never lets a Throwable escape (that would
 * kill the JVM).
 */
public final class PrintBridge {
    private static final Logger log = LoggerFactory.getLogger("libbpf");
    private static final int LIBBPF_WARN = 0, LIBBPF_INFO = 1;
    private static final int MAX_CAPTURE = 256 * 1024;
    private static final ThreadLocal<StringBuilder> CAPTURED = ThreadLocal.withInitial(StringBuilder::new);

    private PrintBridge() {}

    static void install() {
        try {
            var target = MethodHandles.lookup().findStatic(PrintBridge.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = Linker.nativeLinker().upcallStub(target, Libbpf.PRINT_FN, Arena.global());
            MemorySegment previous = (MemorySegment) Libbpf.libbpf_set_print.invokeExact(stub);
        } catch (Throwable t) {
            log.warn("cannot route libbpf's messages to SLF4J: {}", t.toString());
        }
    }

    /** Forgets what this thread captured so far; called before an operation whose messages matter. */
    public static void clear() {
        CAPTURED.get().setLength(0);
    }

    /** What libbpf printed on this thread since the last clear/drain; clears it. */
    public static String drain() {
        StringBuilder sb = CAPTURED.get();
        String s = sb.toString();
        sb.setLength(0);
        return s;
    }

    @SuppressWarnings("unused") // called from C
    private static int print(int level, MemorySegment fmt, MemorySegment ap) {
        try {
            if (level > LIBBPF_INFO && !log.isDebugEnabled()) return 0;
            String msg;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment strp = a.allocate(ADDRESS);
                int n = (int) Libc.vasprintf.invokeExact(strp, fmt, ap);
                if (n < 0) return 0;
                MemorySegment str = strp.get(ADDRESS, 0);
                msg = str.reinterpret(n + 1L).getString(0);
                Libc.free.invokeExact(str);
            }
            String line = msg.stripTrailing();
            switch (level) {
                case LIBBPF_WARN -> log.warn(line);
                case LIBBPF_INFO -> log.info(line);
                default -> log.debug(line);
            }
            if (level <= LIBBPF_INFO) {
                StringBuilder sb = CAPTURED.get();
                sb.append(msg);
                if (!msg.endsWith("\n")) sb.append('\n');
                if (sb.length() > MAX_CAPTURE) sb.delete(0, sb.length() - MAX_CAPTURE);
            }
        } catch (Throwable t) {
            try {
                log.error("libbpf print callback failed", t);
            } catch (Throwable ignored) {
                // nothing more can be done inside an upcall
            }
        }
        return 0;
    }
}
