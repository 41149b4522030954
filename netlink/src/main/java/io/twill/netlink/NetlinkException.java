package io.twill.netlink;

import io.twill.types.Errno;
import io.twill.netlink.internal.LibC;

/**
 * A failed kernel call of the netlink module: the operation, the object it was about, the errno with its name
 * and text, and the kernel's extended ack message (or a hint of ours) where there is one.
 * Example: {@code RTM_NEWLINK(lxc1a2b3c): EEXIST (File exists): lxc1a2b3c or its peer eth0 already exists}.
 * Callers branch on {@link #errno()} ({@link Errno#EEXIST}, {@link Errno#ENODEV}, …).
 */
public class NetlinkException extends RuntimeException {
    private final String op;
    private final String object;
    private final int errno;
    private final String detail;

    public NetlinkException(String op, String object, int errno, String detail) {
        super(format(op, object, errno, detail));
        this.op = op;
        this.object = object;
        this.errno = errno;
        this.detail = detail;
    }

    private static String format(String op, String object, int errno, String detail) {
        var sb = new StringBuilder(op);
        if (object != null && !object.isEmpty()) sb.append('(').append(object).append(')');
        sb.append(": ").append(Errno.name(errno)).append(" (").append(LibC.strerror(errno)).append(')');
        if (detail != null && !detail.isEmpty()) sb.append(": ").append(detail);
        return sb.toString();
    }

    /** The same failure with more explanation appended to the detail. */
    public NetlinkException withHint(String hint) {
        NetlinkException e = new NetlinkException(op, object, errno,
                detail == null || detail.isEmpty() ? hint : detail + "; " + hint);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** "RTM_NEWLINK", "open", "setns", … */
    public String op() { return op; }

    /** What the call was about: an interface name, a route, a namespace path. */
    public String object() { return object; }

    /** The positive errno value. */
    public int errno() { return errno; }

    /** The kernel's extended ack message and/or our hint; null when there was none. */
    public String detail() { return detail; }

    public boolean is(int errnoValue) { return errno == errnoValue; }
}
