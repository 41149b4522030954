package io.twill.bpf;

import io.twill.bpf.internal.Libc;
import io.twill.types.Errno;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Makes sure the pin root lives on a BPF filesystem: if the mount holding it is not a bpffs, mounts one with
 * mount(2) (the agent starts no processes) at {@code /sys/fs/bpf} when the pin root is below it, else at the pin root
 * itself. Used by the agent before it loads anything; the mount(2) downcall is in {@code internal/Libc}.
 */
public final class BpfFs {
    private static final Logger log = LoggerFactory.getLogger(BpfFs.class);
    static final Path SYS_FS_BPF = Path.of("/sys/fs/bpf");

    /** One line of /proc/self/mountinfo, as much as is needed. */
    record Mount(Path mountPoint, String fsType) {}

    private BpfFs() {}

    /** Returns the mount point used: where a bpffs already was, or where one was mounted now. */
    public static Path ensureMounted(Path pinRoot) {
        List<Mount> mounts = mounts();
        Optional<Mount> holder = holder(mounts, pinRoot);
        if (holder.isPresent() && holder.get().fsType().equals("bpf")) return holder.get().mountPoint();
        Path target = pinRoot.startsWith(SYS_FS_BPF) ? SYS_FS_BPF : pinRoot;
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + target + " to mount a bpffs on", e);
        }
        mountBpf(target);
        log.info("Mounted a bpffs at {} (the pin root {} was on {})", target, pinRoot,
                holder.map(m -> m.fsType() + " at " + m.mountPoint()).orElse("no mount"));
        return target;
    }

    /**
     * Makes {@code root} a cgroup v2 mount (the socket load balancer attaches to the root of the hierarchy): nothing
     * to do when a cgroup2 filesystem is mounted exactly there, otherwise one is mounted. Returns the mount point.
     */
    public static Path ensureCgroup2(Path root) {
        Path p = root.toAbsolutePath().normalize();
        for (Mount m : mounts()) {
            if (m.mountPoint().equals(p) && m.fsType().equals("cgroup2")) return p;
        }
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + p + " to mount cgroup2 on", e);
        }
        mount("cgroup2", p);
        log.info("Mounted the cgroup v2 hierarchy at {} (socket load balancing attaches to its root)", p);
        return p;
    }

    /** Whether {@code path} is on a bpffs according to this process's mount table. */
    public static boolean isOnBpfFs(Path path) {
        return holder(mounts(), path).map(m -> m.fsType().equals("bpf")).orElse(false);
    }

    /** The mount whose mount point is the longest prefix of {@code path}. */
    static Optional<Mount> holder(List<Mount> mounts, Path path) {
        Path p = path.toAbsolutePath().normalize();
        Mount best = null;
        for (Mount m : mounts) {
            // Later lines win for the same mount point (the mount on top).
            if (p.startsWith(m.mountPoint()) && (best == null || m.mountPoint().getNameCount() >= best.mountPoint().getNameCount())) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    static List<Mount> mounts() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /** Parses mountinfo lines: field 5 is the mount point, the first field after " - " the filesystem type. */
    static List<Mount> parse(List<String> lines) {
        return lines.stream().map(l -> {
            String[] f = l.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 1 >= f.length) return null;
            return new Mount(Path.of(unescape(f[4])), f[dash + 1]);
        }).filter(m -> m != null).toList();
    }

    /** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 4 <= s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** mount(2) of a bpffs at {@code target}; the error names the errno and, for EPERM, the capability. */
    static void mountBpf(Path target) {
        mount("bpf", target);
    }

    private static void mount(String fsType, Path target) {
        int rc = Libc.mount(fsType, target.toString(), fsType);
        if (rc != 0) {
            throw Failures.fail("mount", fsType + " at " + target, rc,
                    rc == -Errno.EPERM ? "mounting needs CAP_SYS_ADMIN" : null);
        }
    }
}
