package io.twill.bpf;

import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.Libc;
import io.twill.bpf.internal.Native;
import io.twill.bpf.internal.PrintBridge;
import io.twill.types.Errno;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/** Pinning on a bpffs, with errors that say what is wrong with the path. */
final class Pins {
    private Pins() {}

    /** {@code bpf_obj_get(path)}: a new descriptor for what is pinned there. */
    public static int open(Path path, String kind) {
        int fd;
        PrintBridge.clear();
        try (Arena a = Arena.ofConfined()) {
            fd = (int) Libbpf.bpf_obj_get.invokeExact(a.allocateFrom(path.toString()));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (fd >= 0) return fd;
        String problem = bpffsProblem(path.getParent());
        String detail = problem != null ? problem
                : fd == -Errno.ENOENT ? "no " + kind + " is pinned there" : null;
        throw Failures.fail("bpf_obj_get", path.toString(), fd, detail);
    }

    /** {@code bpf_obj_pin(fd, path)}. */
    public static void pin(int fd, Path path, String what) {
        int rc;
        PrintBridge.clear();
        try (Arena a = Arena.ofConfined()) {
            rc = (int) Libbpf.bpf_obj_pin.invokeExact(fd, a.allocateFrom(path.toString()));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc == 0) return;
        String problem = bpffsProblem(path.getParent());
        String detail = problem != null ? problem
                : rc == -Errno.EEXIST ? "something is already pinned at " + path : null;
        throw Failures.fail("bpf_obj_pin", what + " at " + path, rc, detail);
    }

    /** Removes the pin at {@code path}; false when nothing was there. */
    public static boolean unpin(Path path, String what) {
        int rc = Libc.unlinkPath(path.toString());
        if (rc == 0) return true;
        if (rc == -Errno.ENOENT) return false;
        throw Failures.fail("unlink", what + " pin " + path, rc);
    }

    /** Null when {@code dir} is a directory on a bpffs, else what is wrong with it (for error messages). */
    public static String bpffsProblem(Path dir) {
        if (dir == null) return null;
        if (!Files.exists(dir)) return dir + " does not exist; create it on a bpffs (mount -t bpf bpf " + dir + ")";
        if (!Files.isDirectory(dir)) return dir + " is not a directory";
        try {
            String type = Files.getFileStore(dir).type();
            if (!"bpf".equals(type)) {
                return dir + " is on a " + type + " filesystem, not a bpffs; mount one there first (mount -t bpf bpf "
                        + dir + ")";
            }
            return null;
        } catch (IOException e) {
            return "cannot tell what filesystem " + dir + " is on: " + e.getMessage();
        }
    }
}
