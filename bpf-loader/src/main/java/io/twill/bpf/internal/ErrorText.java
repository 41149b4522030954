package io.twill.bpf.internal;

import io.twill.types.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** Builds the text of loader exceptions (the exceptions themselves are made in io.twill.bpf): {@code op(object): ENAME (strerror): detail} plus libbpf's own lines. */
public final class ErrorText {
    private ErrorText() {}

    private static final int LOG_LINES_IN_MESSAGE = 12;

    public static String message(String op, String object, int errno, String detail, String libbpfLog) {
        StringBuilder sb = new StringBuilder(op).append('(').append(object).append(')');
        if (errno != 0) sb.append(": ").append(Errno.name(errno)).append(" (").append(strerror(errno)).append(')');
        if (detail != null && !detail.isBlank()) sb.append(": ").append(detail);
        if (libbpfLog != null && !libbpfLog.isBlank()) {
            sb.append("\nlibbpf said:\n").append(tail(libbpfLog, LOG_LINES_IN_MESSAGE).indent(2).stripTrailing());
        }
        return sb.toString();
    }

    /** The last {@code n} non-blank lines of {@code text}. */
    public static String tail(String text, int n) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - n), lines.size());
        return (lines.size() > n ? "[... " + (lines.size() - n) + " lines before]\n" : "") + String.join("\n", last);
    }

    /** libbpf's text for an errno (covers libbpf's own LIBBPF_ERRNO__ codes too). */
    public static String strerror(int errno) {
        int e = Math.abs(errno);
        if (!Libbpf.isAvailable()) return "errno " + e;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(128);
            int ignored = (int) Libbpf.libbpf_strerror.invokeExact(e, buf, 128L);
            return buf.getString(0);
        } catch (Throwable t) {
            return "errno " + e;
        }
    }

    /** A hint for the errno of a failed call, or null. */
    public static String hint(int errno) {
        return switch (Math.abs(errno)) {
            case Errno.EPERM, Errno.EACCES ->
                    "this needs CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN; run as root)";
            default -> null;
        };
    }
}
