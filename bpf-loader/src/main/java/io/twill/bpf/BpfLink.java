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
    /** BPF_LINK_TYPE_TCX. */
    public static final int TYPE_TCX = 11;

    /** What the kernel says about a link ({@code bpf_link_info}); ifindex/attach type are for TCX links. */
    public record Info(int type, String typeName, int id, int programId, int ifindex, int attachType) {}

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
            return new Info(type, TypeNames.link(type), InfoReader.i32(info, l, "id"), InfoReader.i32(info, l, "prog_id"),
                    type == TYPE_TCX ? InfoReader.i32(info, l, "tcx.ifindex") : 0,
                    type == TYPE_TCX ? InfoReader.i32(info, l, "tcx.attach_type") : 0);
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
