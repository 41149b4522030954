package io.twill.netlink;

/**
 * Symbolic names of the errno values the kernel's networking calls return (x86_64 Linux). The values are checked
 * against errno.h by {@code LayoutsMatchCTest}.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, EBADF = 9,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19, ENOTDIR = 20,
            EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOSPC = 28, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38,
            ENOTEMPTY = 39, ELOOP = 40, ENOLINK = 67, EPROTO = 71, EMSGSIZE = 90, EOPNOTSUPP = 95,
            ENOTSOCK = 88, ENOPROTOOPT = 92, EPROTONOSUPPORT = 93, EAFNOSUPPORT = 97,
            EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETDOWN = 100, ENETUNREACH = 101, ENOBUFS = 105, ENOTCONN = 107,
            ETIMEDOUT = 110, ECONNREFUSED = 111, EHOSTUNREACH = 113;

    /** "ENOENT" for 2; "errno 4242" for values this table does not know. */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM"; case ENOENT -> "ENOENT"; case ESRCH -> "ESRCH"; case EINTR -> "EINTR";
            case EIO -> "EIO"; case ENXIO -> "ENXIO"; case E2BIG -> "E2BIG"; case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN"; case ENOMEM -> "ENOMEM"; case EACCES -> "EACCES"; case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY"; case EEXIST -> "EEXIST"; case ENODEV -> "ENODEV"; case ENOTDIR -> "ENOTDIR";
            case EINVAL -> "EINVAL"; case ENFILE -> "ENFILE"; case EMFILE -> "EMFILE"; case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE"; case ENAMETOOLONG -> "ENAMETOOLONG"; case ENOSYS -> "ENOSYS";
            case ENOTEMPTY -> "ENOTEMPTY"; case ELOOP -> "ELOOP"; case ENOLINK -> "ENOLINK"; case EPROTO -> "EPROTO";
            case EMSGSIZE -> "EMSGSIZE"; case EOPNOTSUPP -> "EOPNOTSUPP"; case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL"; case ENETDOWN -> "ENETDOWN"; case ENETUNREACH -> "ENETUNREACH";
            case ENOBUFS -> "ENOBUFS"; case ECONNREFUSED -> "ECONNREFUSED"; case EHOSTUNREACH -> "EHOSTUNREACH";
            case ENOTSOCK -> "ENOTSOCK"; case ENOPROTOOPT -> "ENOPROTOOPT"; case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case EAFNOSUPPORT -> "EAFNOSUPPORT"; case ENOTCONN -> "ENOTCONN"; case ETIMEDOUT -> "ETIMEDOUT";
            default -> "errno " + errno;
        };
    }
}
