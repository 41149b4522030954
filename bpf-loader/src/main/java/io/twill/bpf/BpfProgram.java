package io.twill.bpf;

import io.twill.bpf.internal.ErrorText;
import io.twill.types.Errno;
import io.twill.bpf.internal.Leaks;
import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.LibbpfStructs;
import io.twill.bpf.internal.Libc;
import io.twill.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HexFormat;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A loaded BPF program. Like {@link BpfMap} it either belongs to its {@link BpfObject} ({@link #close()} does nothing)
 * or owns its descriptor ({@link BpfObject#takeProgram}, {@link #openPinned}). Attachments hold their own reference
 * in the kernel, so an attached program keeps running after its owner is closed.
 */
public final class BpfProgram implements AutoCloseable {
    /** BPF_PROG_TYPE_SCHED_CLS: TC programs (cls_bpf and TCX). */
    public static final int TYPE_SCHED_CLS = 3;

    private final String name;
    private final String sectionName;
    private final int fd;
    private final int type;
    private final int id;
    private final String tag;
    private final BpfObject parent;
    private final Leaks.Token leaks; // null when borrowed
    private volatile boolean closed;

    private BpfProgram(String name, String sectionName, int fd, BpfObject parent) {
        this.fd = fd;
        this.parent = parent;
        try (Arena a = Arena.ofConfined()) {
            var l = LibbpfStructs.bpf_prog_info;
            MemorySegment info = InfoReader.read(a, fd, l, name == null ? "program fd " + fd : "program " + name);
            this.type = InfoReader.i32(info, l, "type");
            this.id = InfoReader.i32(info, l, "id");
            this.tag = HexFormat.of().formatHex(info.asSlice(LibbpfStructs.offset(l, "tag"), 8).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            this.name = name != null ? name : InfoReader.name(info, l, "name");
        }
        this.sectionName = sectionName;
        this.leaks = parent == null ? Leaks.watch(this, "program " + this.name + " (fd " + fd + ")") : null;
    }

    static BpfProgram borrowed(BpfObject parent, String name, String section, int fd) {
        return new BpfProgram(name, section, fd, parent);
    }

    static BpfProgram owning(String name, String section, int fd) {
        try {
            return new BpfProgram(name, section, fd, null);
        } catch (RuntimeException e) {
            Libc.closeFd(fd);
            throw e;
        }
    }

    /** Opens a program pinned at {@code path}; the handle owns the new descriptor. */
    public static BpfProgram openPinned(Path path) {
        Libbpf.ensureAvailable();
        return owning(null, null, Pins.open(path, "program"));
    }

    /** The C function name (the kernel keeps only its first 15 characters). */
    public String name() { return name; }

    /** The ELF section ("tc", "tcx/ingress", …), or null when opened from a pin. */
    public String sectionName() { return sectionName; }

    public int fd() { return fd; }

    /** BPF_PROG_TYPE_* value. */
    public int type() { return type; }

    /** libbpf's name for the type ("sched_cls", …). */
    public String typeName() { return TypeNames.program(type); }

    /** The kernel's program id (as bpftool and tc show it). */
    public int id() { return id; }

    /** The kernel's tag (hash of the instructions), in hex. */
    public String tag() { return tag; }

    public boolean ownsDescriptor() { return parent == null; }

    /** Runs the program once (or {@code repeat} times) on a packet with {@code bpf_prog_test_run_opts}. */
    public TestRunResult testRun(TestRun run) {
        ensureOpen();
        var l = LibbpfStructs.bpf_test_run_opts;
        try (Arena a = Arena.ofConfined()) {
            byte[] data = run.data();
            MemorySegment in = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(MemorySegment.ofArray(data), 0, in, 0, data.length);
            MemorySegment out = a.allocate(Math.max(1, run.dataOutCapacity()));
            MemorySegment opts = a.allocate(l);
            opts.set(JAVA_LONG, LibbpfStructs.offset(l, "sz"), l.byteSize());
            opts.set(ADDRESS, LibbpfStructs.offset(l, "data_in"), in);
            opts.set(JAVA_INT, LibbpfStructs.offset(l, "data_size_in"), data.length);
            opts.set(ADDRESS, LibbpfStructs.offset(l, "data_out"), out);
            opts.set(JAVA_INT, LibbpfStructs.offset(l, "data_size_out"), run.dataOutCapacity());
            opts.set(JAVA_INT, LibbpfStructs.offset(l, "repeat"), run.repeat());
            int rc = (int) Libbpf.bpf_prog_test_run_opts.invokeExact(fd, opts);
            if (rc < 0) {
                String detail = switch (-rc) {
                    case Errno.ENOSPC -> "the output packet is larger than dataOutCapacity " + run.dataOutCapacity();
                    case Errno.EINVAL -> "the kernel rejected the input (TC programs need at least a 14-byte Ethernet header)";
                    case Errno.ENOTSUPP -> "this program type cannot be test-run";
                    default -> null;
                };
                throw Failures.fail("bpf_prog_test_run_opts", "program " + name, rc, detail);
            }
            int outLen = opts.get(JAVA_INT, LibbpfStructs.offset(l, "data_size_out"));
            byte[] dataOut = out.asSlice(0, Math.min(outLen, run.dataOutCapacity())).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            return new TestRunResult(opts.get(JAVA_INT, LibbpfStructs.offset(l, "retval")), dataOut,
                    Integer.toUnsignedLong(opts.get(JAVA_INT, LibbpfStructs.offset(l, "duration"))));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Shorthand for {@code testRun(TestRun.of(packet))}. */
    public TestRunResult testRun(byte[] packet) {
        return testRun(TestRun.of(packet));
    }

    /** Pins the program at {@code path} (on a bpffs). */
    public void pin(Path path) {
        ensureOpen();
        Pins.pin(fd, path, "program " + name);
    }

    /** Closes an owned descriptor (idempotent); does nothing for a program that belongs to a {@link BpfObject}. */
    @Override
    public void close() {
        if (parent != null || closed) return;
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        leaks.closed();
        Libc.closeFd(fd);
    }

    void ensureOpen() {
        if (closed || (parent != null && !parent.isOpen())) {
            throw new IllegalStateException("program " + name + " is closed"
                    + (parent != null ? " (its BpfObject " + parent.name() + " was closed)" : ""));
        }
    }

    @Override
    public String toString() {
        return "program " + name + " (id " + id + ", " + typeName() + ")";
    }
}
