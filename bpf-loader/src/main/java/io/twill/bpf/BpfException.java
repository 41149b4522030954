package io.twill.bpf;

import io.twill.types.Errno;
import io.twill.bpf.internal.ErrorText;

/**
 * A failed libbpf or bpf(2) operation: which operation, on what, the errno (number and name), the C library's text
 * for it, and whatever libbpf printed while failing (the kernel's extack text, the verifier log). Its message reads
 * like {@code bpf_map_update_elem(twill_endpoints): EEXIST (File exists)}.
 */
public class BpfException extends RuntimeException {
    private final String op;
    private final String object;
    private final int errno;
    private final String libbpfLog;

    /**
     * @param op        the C function or step, e.g. "bpf_object__load"
     * @param object    what it acted on (map, program, file, interface), for the reader
     * @param errno     positive errno, or 0 when the failure has no errno
     * @param detail    an explanation or hint for the user, or null
     * @param libbpfLog what libbpf printed on this thread during the operation, or ""
     */
    public BpfException(String op, String object, int errno, String detail, String libbpfLog) {
        super(ErrorText.message(op, object, errno, detail, libbpfLog));
        this.op = op;
        this.object = object;
        this.errno = Math.abs(errno);
        this.libbpfLog = libbpfLog == null ? "" : libbpfLog;
    }

    /** Same, with a message the subclass wrote itself. */
    protected BpfException(String message, String op, String object, int errno, String libbpfLog) {
        super(message);
        this.op = op;
        this.object = object;
        this.errno = Math.abs(errno);
        this.libbpfLog = libbpfLog == null ? "" : libbpfLog;
    }

    /** The failed operation, e.g. "bpf_tc_attach". */
    public String op() { return op; }

    /** What the operation acted on, e.g. "twill_endpoints" or "lxc1234 ingress". */
    public String object() { return object; }

    /** Positive errno, 0 if none. */
    public int errno() { return errno; }

    /** "EEXIST" etc. */
    public String errnoName() { return Errno.name(errno); }

    /** Everything libbpf printed on the failing thread during the operation (may be ""). */
    public String libbpfLog() { return libbpfLog; }
}
