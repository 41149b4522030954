package io.twill.bpf;

import io.twill.bpf.internal.ErrorText;
import io.twill.types.Errno;
import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.LibbpfStructs;
import io.twill.bpf.internal.Native;
import io.twill.bpf.internal.PrintBridge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalInt;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A direct-action cls_bpf filter on the device's clsact qdisc, made through libbpf's netlink TC API
 * ({@code bpf_tc_hook_create}, {@code bpf_tc_attach}). Netlink acts in the calling thread's network namespace: call
 * every method from a thread in the namespace the device lives in.
 */
public final class ClsBpfAttachment implements TcAttachment {
    private static final Logger log = LoggerFactory.getLogger(ClsBpfAttachment.class);
    private static final int BPF_TC_F_REPLACE = 1;

    private final int ifindex;
    private final String what;
    private final TcDirection direction;
    private final int handle;
    private final int priority;
    private final OnClose onClose;
    private volatile boolean detached;
    private volatile boolean closed;

    private ClsBpfAttachment(int ifindex, String ifname, TcDirection direction, int handle, int priority, OnClose onClose) {
        this.ifindex = ifindex;
        this.what = (ifname != null ? ifname : "ifindex " + ifindex) + " " + direction;
        this.direction = direction;
        this.handle = handle;
        this.priority = priority;
        this.onClose = onClose;
    }

    /**
     * Ensures a clsact qdisc on the device (an existing one is fine) and attaches {@code program} at
     * handle/priority, replacing a filter already there when {@code replace} is set.
     */
    public static ClsBpfAttachment attach(int ifindex, String ifname, TcDirection direction, BpfProgram program,
                                          int handle, int priority, boolean replace, OnClose onClose) {
        Libbpf.ensureAvailable();
        program.ensureOpen();
        var a = new ClsBpfAttachment(ifindex, ifname, direction, handle, priority, onClose);
        a.createHook();
        a.attachProgram(program, replace);
        log.debug("attached {} to {} as cls_bpf handle {} priority {}", program.name(), a.what, handle, priority);
        return a;
    }

    /** Adopts the filter at handle/priority if one is there (e.g. left by a previous run of the agent). */
    public static java.util.Optional<ClsBpfAttachment> adopt(int ifindex, String ifname, TcDirection direction,
                                                             int handle, int priority, OnClose onClose) {
        if (query(ifindex, direction, handle, priority).isEmpty()) return java.util.Optional.empty();
        return java.util.Optional.of(new ClsBpfAttachment(ifindex, ifname, direction, handle, priority, onClose));
    }

    /** The id of the program at handle/priority on the device's hook, if any ({@code bpf_tc_query}). */
    public static OptionalInt query(int ifindex, TcDirection direction, int handle, int priority) {
        Libbpf.ensureAvailable();
        PrintBridge.clear();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = hook(arena, ifindex, direction);
            MemorySegment opts = opts(arena, handle, priority);
            int rc = (int) Libbpf.bpf_tc_query.invokeExact(hook, opts);
            // A missing qdisc, chain or filter reads ENOENT or EINVAL ("Cannot find specified filter chain").
            if (rc == -Errno.ENOENT || rc == -Errno.EINVAL) {
                PrintBridge.clear();
                return OptionalInt.empty();
            }
            if (rc < 0) throw Failures.fail("bpf_tc_query", "ifindex " + ifindex + " " + direction, rc);
            return OptionalInt.of(opts.get(JAVA_INT, LibbpfStructs.offset(LibbpfStructs.bpf_tc_opts, "prog_id")));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    @Override public Kind kind() { return Kind.CLS_BPF; }

    @Override public int ifindex() { return ifindex; }

    @Override public TcDirection direction() { return direction; }

    @Override public OnClose onClose() { return onClose; }

    public int handle() { return handle; }

    public int priority() { return priority; }

    @Override
    public int programId() {
        return query(ifindex, direction, handle, priority).orElseThrow(() ->
                new IllegalStateException("no cls_bpf filter at " + what + " handle " + handle + " priority " + priority));
    }

    /** Swaps the program in place ({@code BPF_TC_F_REPLACE} on the same handle and priority). */
    @Override
    public void replace(BpfProgram program) {
        if (detached || closed) throw new IllegalStateException("cls_bpf attachment at " + what + " is detached or closed");
        program.ensureOpen();
        attachProgram(program, true);
    }

    @Override
    public void detach() {
        if (detached) return;
        PrintBridge.clear();
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) Libbpf.bpf_tc_detach.invokeExact(hook(arena, ifindex, direction), opts(arena, handle, priority));
            if (rc < 0 && rc != -Errno.ENOENT && rc != -Errno.EINVAL && rc != -Errno.ENODEV) {
                throw Failures.fail("bpf_tc_detach", what, rc);
            }
            PrintBridge.clear();
            detached = true;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Detaches and then deletes the device's clsact qdisc, which removes every other TC filter on the device in
     * both directions too. For tests and full uninstall only.
     */
    public void detachAndDestroyHook() {
        detach();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hook = hook(arena, ifindex, direction);
            hook.set(JAVA_INT, LibbpfStructs.offset(LibbpfStructs.bpf_tc_hook, "attach_point"),
                    TcDirection.INGRESS.tcAttachPoint() | TcDirection.EGRESS.tcAttachPoint());
            int rc = (int) Libbpf.bpf_tc_hook_destroy.invokeExact(hook);
            if (rc < 0 && rc != -Errno.ENOENT && rc != -Errno.EINVAL) throw Failures.fail("bpf_tc_hook_destroy", what, rc);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (onClose == OnClose.DETACH) detach();
    }

    private void createHook() {
        PrintBridge.clear();
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) Libbpf.bpf_tc_hook_create.invokeExact(hook(arena, ifindex, direction));
            if (rc == -Errno.EEXIST) {
                PrintBridge.clear();
                return;
            }
            if (rc < 0) throw Failures.fail("bpf_tc_hook_create", what, rc, Tc.deviceHint(rc, ifindex));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private void attachProgram(BpfProgram program, boolean replace) {
        PrintBridge.clear();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = opts(arena, handle, priority);
            var l = LibbpfStructs.bpf_tc_opts;
            opts.set(JAVA_INT, LibbpfStructs.offset(l, "prog_fd"), program.fd());
            opts.set(JAVA_INT, LibbpfStructs.offset(l, "flags"), replace ? BPF_TC_F_REPLACE : 0);
            int rc = (int) Libbpf.bpf_tc_attach.invokeExact(hook(arena, ifindex, direction), opts);
            if (rc < 0) {
                String detail = rc == -Errno.EEXIST
                        ? "a filter already sits at handle " + handle + " priority " + priority + " (set replaceExisting)"
                        : Tc.deviceHint(rc, ifindex);
                throw Failures.fail("bpf_tc_attach", program.name() + " on " + what, rc, detail);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static MemorySegment hook(Arena arena, int ifindex, TcDirection direction) {
        var l = LibbpfStructs.bpf_tc_hook;
        MemorySegment hook = arena.allocate(l);
        hook.set(JAVA_LONG, LibbpfStructs.offset(l, "sz"), l.byteSize());
        hook.set(JAVA_INT, LibbpfStructs.offset(l, "ifindex"), ifindex);
        hook.set(JAVA_INT, LibbpfStructs.offset(l, "attach_point"), direction.tcAttachPoint());
        return hook;
    }

    /** Zeroed opts with only handle and priority, as detach and query require. */
    private static MemorySegment opts(Arena arena, int handle, int priority) {
        var l = LibbpfStructs.bpf_tc_opts;
        MemorySegment opts = arena.allocate(l);
        opts.set(JAVA_LONG, LibbpfStructs.offset(l, "sz"), l.byteSize());
        opts.set(JAVA_INT, LibbpfStructs.offset(l, "handle"), handle);
        opts.set(JAVA_INT, LibbpfStructs.offset(l, "priority"), priority);
        return opts;
    }

    @Override
    public String toString() {
        return "cls_bpf on " + what + " (handle " + handle + ", priority " + priority + ", on close " + onClose + ")";
    }
}
