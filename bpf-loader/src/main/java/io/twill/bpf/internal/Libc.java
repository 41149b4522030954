package io.twill.bpf.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The few libc functions the loader needs besides libbpf (fd duplication, unlink, interface names, formatting, mount). */
public final class Libc {
    private Libc() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
    private static final List<Downcall> DOWNCALLS = new ArrayList<>();

    public static final MethodHandle close = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** {@code int fcntl(int fd, int cmd, ...)} with one variadic int. [errno] */
    public static final MethodHandle fcntl = fn("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2,
            Linker.Option.firstVariadicArg(2), ERRNO);
    /** [errno] */
    public static final MethodHandle unlink = fn("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO);
    /** [errno] {@code unsigned int if_nametoindex(const char *ifname)} */
    public static final MethodHandle if_nametoindex = fn("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO);
    /** {@code char *if_indextoname(unsigned int ifindex, char *ifname)} */
    public static final MethodHandle if_indextoname = fn("if_indextoname", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    /** {@code int vasprintf(char **strp, const char *fmt, va_list ap)}: formats without truncation (a verifier log can be long). */
    public static final MethodHandle vasprintf = fn("vasprintf", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle free = fn("free", FunctionDescriptor.ofVoid(ADDRESS));
    /** [errno] {@code int mount(const char *source, const char *target, const char *filesystemtype,
     *  unsigned long mountflags, const void *data)} */
    public static final MethodHandle mount = fn("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), ERRNO);
    /** [errno] {@code int open(const char *path, int flags, ...)} with one variadic mode. */
    public static final MethodHandle open = fn("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2,
            Linker.Option.firstVariadicArg(2), ERRNO);

    /** A close-on-exec read-only descriptor for the directory {@code path} (a cgroup); -errno on failure. */
    public static int openDirectory(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libbpf.newErrnoSegment(a);
            int r = (int) open.invokeExact(errno, a.allocateFrom(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            return r >= 0 ? r : -Libbpf.errno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** A new close-on-exec descriptor for the same open file; -errno on failure. */
    public static int dup(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libbpf.newErrnoSegment(a);
            int r = (int) fcntl.invokeExact(errno, fd, F_DUPFD_CLOEXEC, 3);
            return r >= 0 ? r : -Libbpf.errno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** close(2), ignoring the result (the descriptor is gone either way on Linux). */
    public static void closeFd(int fd) {
        if (fd < 0) return;
        try {
            int ignored = (int) close.invokeExact(fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** unlink(2): 0 or -errno. */
    public static int unlinkPath(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libbpf.newErrnoSegment(a);
            int r = (int) unlink.invokeExact(errno, a.allocateFrom(path));
            return r == 0 ? 0 : -Libbpf.errno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code mount(source, target, fsType, 0, NULL)} (a bpffs, the cgroup v2 hierarchy): 0 or -errno. */
    public static int mount(String source, String target, String fsType) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libbpf.newErrnoSegment(a);
            int r = (int) mount.invokeExact(errno, a.allocateFrom(source), a.allocateFrom(target), a.allocateFrom(fsType),
                    0L, MemorySegment.NULL);
            return r == 0 ? 0 : -Libbpf.errno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The interface index of {@code name} in the calling thread's network namespace, or -errno. */
    public static int ifNameToIndex(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libbpf.newErrnoSegment(a);
            int r = (int) if_nametoindex.invokeExact(errno, a.allocateFrom(name));
            return r != 0 ? r : -Math.max(1, Libbpf.errno(errno));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The name of interface {@code ifindex} in the calling thread's network namespace, or null. */
    public static String ifIndexToName(int ifindex) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(16);
            MemorySegment r = (MemorySegment) if_indextoname.invokeExact(ifindex, buf);
            return r.address() == 0 ? null : buf.getString(0);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Every function bound here, with its descriptor, for the proof against the libc headers. */
    public static List<Downcall> downcalls() {
        return List.copyOf(DOWNCALLS);
    }

    private static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... options) {
        return fn(name, fd, -1, options);
    }

    private static MethodHandle fn(String name, FunctionDescriptor fd, int firstVariadicArg, Linker.Option... options) {
        DOWNCALLS.add(new Downcall(name, fd, firstVariadicArg));
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(
                () -> new IllegalStateException("libc has no " + name)), fd, options);
    }
}
