package io.twill.netlink;

import io.twill.netlink.internal.LibC;

/**
 * A failed kernel call of the netlink module: the operation, the object it was about, the errno with its name
 * and text, and the kernel's extended ack message where it gave one.
 * Example: {@code RTM_NEWLINK(lxc1a2b3c): EEXIST (File exists)}.
 */
public class NetlinkException extends RuntimeException {
    private final String op;
    private final String object;
    private final int errno;

    public NetlinkException(String op, String object, int errno, String detail) {
        super(format(op, object, errno, detail));
        this.op = op;
        this.object = object;
        this.errno = errno;
    }

    private static String format(String op, String object, int errno, String detail) {
        var sb = new StringBuilder(op);
        if (object != null && !object.isEmpty()) sb.append('(').append(object).append(')');
        sb.append(": ").append(Errno.name(errno)).append(" (").append(LibC.strerror(errno)).append(')');
        if (detail != null && !detail.isEmpty()) sb.append(": ").append(detail);
        return sb.toString();
    }

    public String op() { return op; }

    public String object() { return object; }

    /** The positive errno value. */
    public int errno() { return errno; }
}
