package io.twill.bpf;

import io.twill.bpf.internal.ErrorText;
import io.twill.types.Errno;
import io.twill.bpf.internal.Leaks;
import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.LibbpfStructs;
import io.twill.bpf.internal.Libc;
import io.twill.bpf.internal.Native;
import io.twill.bpf.internal.PrintBridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A BPF link ({@code bpf_link_create}): the kernel keeps the program attached while a descriptor or a pin refers to
 * the link. {@link #close()} closes this descriptor (which detaches an unpinned link); {@link #detach()} detaches
 * whatever else holds it. A pinned link can be reopened by a later process ({@link #openPinned}) and
 * {@link #update updated} to a new program atomically.
 */
public final class BpfLink implements AutoCloseable {
    /** BPF_LINK_TYPE_CGROUP, BPF_LINK_TYPE_TCX. */
    public static final int TYPE_CGROUP = 3, TYPE_TCX = 11;

    /**
     * What the kernel says about a link ({@code bpf_link_info}): ifindex for TCX links, cgroupId (the cgroup
     * directory's inode number; 0 once the cgroup was removed) for cgroup links, attachType for both.
     */
    public record Info(int type, String typeName, int id, int programId, int ifindex, int attachType, long cgroupId) {}

    private final int fd;
    private volatile Path pinnedAt;
    private volatile boolean closed;
    private final Leaks.Token leaks;

    private BpfLink(int fd, Path pinnedAt) {
        this.fd = fd;
        this.pinnedAt = pinnedAt;
        this.leaks = Leaks.watch(this, "link fd " + fd);
    }

    /** Attaches {@code program} to device {@code ifindex} with a TCX link (attach type 46/47, Linux >= 6.6). */
    public static BpfLink tcx(int ifindex, TcDirection direction, BpfProgram program) {
        Libbpf.ensureAvailable();
        program.ensureOpen();
        PrintBridge.clear();
        int fd;
        try {
            fd = (int) Libbpf.bpf_link_create.invokeExact(program.fd(), ifindex, direction.tcxAttachType(), MemorySegment.NULL);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (fd >= 0) return new BpfLink(fd, null);
        if (fd == -Errno.EINVAL && !Features.tcx()) {
            throw new UnsupportedFeatureException("TCX links (BPF_TCX_INGRESS/EGRESS)", "Linux 6.6", Errno.EINVAL);
        }
        String detail = fd == -Errno.EINVAL && program.type() != BpfProgram.TYPE_SCHED_CLS
                ? "program " + program.name() + " is " + program.typeName() + ", TCX needs sched_cls (SEC(\"tc\"))"
                : Tc.deviceHint(fd, ifindex);
        throw Failures.fail("bpf_link_create", program.name() + " on ifindex " + ifindex + " tcx " + direction, fd, detail);
    }

    /**
     * Attaches {@code program} to the cgroup v2 directory {@code cgroupDir} at hook {@code type} with a cgroup link
     * ({@code bpf_link_create}; the program must have been loaded for that hook, e.g. from section
     * {@code cgroup/connect4}). The program then runs for every socket of the processes in that cgroup and its
     * descendants. Several links may sit on one hook (BPF_F_ALLOW_MULTI semantics); {@link #update} swaps the program
     * of this one atomically. Pin the link to keep it after this process exits.
     */
    public static BpfLink attachCgroup(BpfProgram program, Path cgroupDir, CgroupAttachType type) {
        Libbpf.ensureAvailable();
        program.ensureOpen();
        PrintBridge.clear();
        int cg = Libc.openDirectory(cgroupDir.toString());
        if (cg < 0) {
            throw Failures.fail("open", "cgroup " + cgroupDir, cg, cg == -Errno.ENOENT ? "no such directory"
                    : cg == -Errno.ENOTDIR ? "not a directory" : null);
        }
        int fd;
        try {
            fd = (int) Libbpf.bpf_link_create.invokeExact(program.fd(), cg, type.attachType(), MemorySegment.NULL);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        } finally {
            Libc.closeFd(cg);
        }
        if (fd >= 0) return new BpfLink(fd, null);
        String detail = switch (-fd) {
            case Errno.EBADF -> cgroupDir + " is not a cgroup v2 directory (look for the cgroup2 mount in /proc/self/mountinfo)";
            case Errno.EINVAL -> "program " + program.name() + " (" + program.typeName() + ", section "
                    + program.sectionName() + ") was not loaded for " + type + "; load it from section " + type.section();
            default -> null;
        };
        throw Failures.fail("bpf_link_create", program.name() + " on cgroup " + cgroupDir + " " + type, fd, detail);
    }

    /** Reopens a link pinned at {@code path}. */
    public static BpfLink openPinned(Path path) {
        Libbpf.ensureAvailable();
        return new BpfLink(Pins.open(path, "link"), path);
    }

    public int fd() { return fd; }

    /** The kernel's view: type, id, program, and for TCX the device and direction. */
    public Info info() {
        ensureOpen();
        try (Arena a = Arena.ofConfined()) {
            var l = LibbpfStructs.bpf_link_info;
            MemorySegment info = InfoReader.read(a, fd, l, "link fd " + fd);
            int type = InfoReader.i32(info, l, "type");
            int attachType = switch (type) {
                case TYPE_TCX -> InfoReader.i32(info, l, "tcx.attach_type");
                case TYPE_CGROUP -> InfoReader.i32(info, l, "cgroup.attach_type");
                default -> 0;
            };
            return new Info(type, TypeNames.link(type), InfoReader.i32(info, l, "id"), InfoReader.i32(info, l, "prog_id"),
                    type == TYPE_TCX ? InfoReader.i32(info, l, "tcx.ifindex") : 0, attachType,
                    type == TYPE_CGROUP ? info.get(java.lang.foreign.ValueLayout.JAVA_LONG,
                            LibbpfStructs.offset(l, "cgroup.cgroup_id")) : 0);
        }
    }

    /** Atomically makes the link run {@code program} ({@code bpf_link_update}). */
    public void update(BpfProgram program) {
        ensureOpen();
        program.ensureOpen();
        PrintBridge.clear();
        int rc;
        try {
            rc = (int) Libbpf.bpf_link_update.invokeExact(fd, program.fd(), MemorySegment.NULL);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) {
            String detail = rc == -Errno.ENOLINK ? "the link was detached" : null;
            throw Failures.fail("bpf_link_update", "link fd " + fd + " to " + program.name(), rc, detail);
        }
    }

    /** Pins the link at {@code path} (on a bpffs); it then outlives this descriptor and this process. */
    public void pin(Path path) {
        ensureOpen();
        Pins.pin(fd, path, "link");
        pinnedAt = path;
    }

    /** Removes this link's pin, if it has one; false when there was none. */
    public boolean unpin() {
        Path p = pinnedAt;
        if (p == null) return false;
        pinnedAt = null;
        return Pins.unpin(p, "link");
    }

    public Optional<Path> pinnedPath() { return Optional.ofNullable(pinnedAt); }

    /** Detaches the program ({@code bpf_link_detach}) even if other descriptors or pins hold the link. */
    public void detach() {
        ensureOpen();
        PrintBridge.clear();
        int rc;
        try {
            rc = (int) Libbpf.bpf_link_detach.invokeExact(fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0 && rc != -Errno.ENOLINK) throw Failures.fail("bpf_link_detach", "link fd " + fd, rc);
    }

    /** Closes the descriptor (idempotent). An unpinned link with no other holder is detached by the kernel. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        leaks.closed();
        Libc.closeFd(fd);
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("link fd " + fd + " is closed");
    }

    @Override
    public String toString() {
        return "link fd " + fd + (pinnedAt != null ? " pinned at " + pinnedAt : "");
    }
}
