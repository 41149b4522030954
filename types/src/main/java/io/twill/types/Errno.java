package io.twill.types;

import java.util.Map;

/**
 * Symbolic names of the Linux errno values (x86_64/arm64 generic) that the bpf() syscall, libbpf and rtnetlink return,
 * plus libbpf's own {@code LIBBPF_ERRNO__*} codes. {@code ErrnoMatchesCTest} checks every constant against errno.h.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
            EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
            EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOSPC = 28,
            EROFS = 30, ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40,
            ENOMSG = 42, ENODATA = 61, ETIME = 62, ENOLINK = 67, EPROTO = 71, EBADMSG = 74, EOVERFLOW = 75,
            ENOTSOCK = 88, EMSGSIZE = 90, ENOPROTOOPT = 92, EPROTONOSUPPORT = 93, EOPNOTSUPP = 95,
            EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETDOWN = 100, ENETUNREACH = 101,
            ENOBUFS = 105, ENOTCONN = 107, ETIMEDOUT = 110, ECONNREFUSED = 111, EHOSTUNREACH = 113, EALREADY = 114,
            ECANCELED = 125;

    /** Kernel-internal codes that reach user space through bpf(): not in errno.h. */
    public static final int ENOTSUPP = 524, ETOOSMALL = 525;

    /** The errno constants of this class by value, as errno.h names them (what the C check compares). */
    public static final Map<String, Integer> LIBC = Map.ofEntries(
            Map.entry("EPERM", EPERM), Map.entry("ENOENT", ENOENT), Map.entry("ESRCH", ESRCH), Map.entry("EINTR", EINTR),
            Map.entry("EIO", EIO), Map.entry("ENXIO", ENXIO), Map.entry("E2BIG", E2BIG), Map.entry("ENOEXEC", ENOEXEC),
            Map.entry("EBADF", EBADF), Map.entry("ECHILD", ECHILD), Map.entry("EAGAIN", EAGAIN),
            Map.entry("ENOMEM", ENOMEM), Map.entry("EACCES", EACCES), Map.entry("EFAULT", EFAULT),
            Map.entry("EBUSY", EBUSY), Map.entry("EEXIST", EEXIST), Map.entry("EXDEV", EXDEV),
            Map.entry("ENODEV", ENODEV), Map.entry("ENOTDIR", ENOTDIR), Map.entry("EISDIR", EISDIR),
            Map.entry("EINVAL", EINVAL), Map.entry("ENFILE", ENFILE), Map.entry("EMFILE", EMFILE),
            Map.entry("ENOSPC", ENOSPC), Map.entry("EROFS", EROFS), Map.entry("ERANGE", ERANGE),
            Map.entry("EDEADLK", EDEADLK), Map.entry("ENAMETOOLONG", ENAMETOOLONG), Map.entry("ENOSYS", ENOSYS),
            Map.entry("ENOTEMPTY", ENOTEMPTY), Map.entry("ELOOP", ELOOP), Map.entry("ENOMSG", ENOMSG),
            Map.entry("ENODATA", ENODATA), Map.entry("ETIME", ETIME), Map.entry("ENOLINK", ENOLINK),
            Map.entry("EPROTO", EPROTO), Map.entry("EBADMSG", EBADMSG), Map.entry("EOVERFLOW", EOVERFLOW),
            Map.entry("ENOTSOCK", ENOTSOCK), Map.entry("EMSGSIZE", EMSGSIZE), Map.entry("ENOPROTOOPT", ENOPROTOOPT),
            Map.entry("EPROTONOSUPPORT", EPROTONOSUPPORT), Map.entry("EOPNOTSUPP", EOPNOTSUPP),
            Map.entry("EAFNOSUPPORT", EAFNOSUPPORT), Map.entry("EADDRINUSE", EADDRINUSE),
            Map.entry("EADDRNOTAVAIL", EADDRNOTAVAIL), Map.entry("ENETDOWN", ENETDOWN),
            Map.entry("ENETUNREACH", ENETUNREACH), Map.entry("ENOBUFS", ENOBUFS), Map.entry("ENOTCONN", ENOTCONN),
            Map.entry("ETIMEDOUT", ETIMEDOUT), Map.entry("ECONNREFUSED", ECONNREFUSED),
            Map.entry("EHOSTUNREACH", EHOSTUNREACH), Map.entry("EALREADY", EALREADY), Map.entry("ECANCELED", ECANCELED));

    private static final Map<Integer, String> OTHER = Map.ofEntries(
            Map.entry(ENOTSUPP, "ENOTSUPP"), Map.entry(ETOOSMALL, "ETOOSMALL"),
            // libbpf's own codes (LIBBPF_ERRNO__*, libbpf.h)
            Map.entry(4000, "LIBBPF_ERRNO__LIBELF"), Map.entry(4001, "LIBBPF_ERRNO__FORMAT"),
            Map.entry(4002, "LIBBPF_ERRNO__KVERSION"), Map.entry(4003, "LIBBPF_ERRNO__ENDIAN"),
            Map.entry(4004, "LIBBPF_ERRNO__INTERNAL"), Map.entry(4005, "LIBBPF_ERRNO__RELOC"),
            Map.entry(4006, "LIBBPF_ERRNO__LOAD"), Map.entry(4007, "LIBBPF_ERRNO__VERIFY"),
            Map.entry(4008, "LIBBPF_ERRNO__PROG2BIG"), Map.entry(4009, "LIBBPF_ERRNO__KVER"),
            Map.entry(4010, "LIBBPF_ERRNO__PROGTYPE"), Map.entry(4011, "LIBBPF_ERRNO__WRNGPID"),
            Map.entry(4012, "LIBBPF_ERRNO__INVSEQ"), Map.entry(4013, "LIBBPF_ERRNO__NLPARSE"));

    private static final Map<Integer, String> NAMES = names();

    private static Map<Integer, String> names() {
        var m = new java.util.HashMap<>(OTHER);
        LIBC.forEach((name, value) -> m.put(value, name));
        return Map.copyOf(m);
    }

    /** "EEXIST" for 17 (or -17, as libbpf returns it); "errno 4242" for values this table does not know. */
    public static String name(int errno) {
        int e = Math.abs(errno);
        String n = NAMES.get(e);
        return n != null ? n : "errno " + e;
    }
}
