package io.twill.netlink.internal;

import io.twill.types.Errno;
import io.twill.netlink.NetlinkException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** An open network-namespace file ({@code /run/netns/x}), for IFLA_NET_NS_FD. Closed exactly once. */
public final class NetNsFd implements AutoCloseable {
    private final Path path;
    private int fd;

    private NetNsFd(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    public static NetNsFd open(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = LibC.errnoSegment(arena);
            int fd = LibC.open(err, arena.allocateFrom(path.toString()), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            if (fd < 0) {
                int e = LibC.errno(err);
                String why = e == Errno.ENOENT ? "network namespace " + path + " does not exist"
                        : "cannot open network namespace " + path;
                throw new NetlinkException("open", path.toString(), e, why);
            }
            return new NetNsFd(path, fd);
        }
    }

    public int fd() { return fd; }

    public Path path() { return path; }

    @Override
    public void close() {
        if (fd < 0) return;
        try (Arena arena = Arena.ofConfined()) {
            LibC.close(LibC.errnoSegment(arena), fd);
        }
        fd = -1;
    }
}
