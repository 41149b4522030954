package io.twill.bpf;

import io.twill.types.Errno;
import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.Libc;
import io.twill.bpf.internal.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** What this machine's libbpf and kernel offer; each probe runs once and is cached. */
public final class Features {
    private static final Logger log = LoggerFactory.getLogger(Features.class);
    private static volatile Boolean tcx;

    private Features() {}

    /** True when libbpf.so.1 >= 1.1 is loadable with every symbol the loader needs. */
    public static boolean libbpfAvailable() { return Libbpf.isAvailable(); }

    /** Why libbpf cannot be used, or null. */
    public static String libbpfUnavailabilityCause() { return Libbpf.unavailabilityCause(); }

    /** Throws {@link IllegalStateException} with the cause when libbpf cannot be used. */
    public static void requireLibbpf() { Libbpf.ensureAvailable(); }

    /** "1.1.2". */
    public static String libbpfVersion() { return Libbpf.version(); }

    /**
     * Whether the kernel has TCX links (Linux 6.6): loads a two-instruction sched_cls program and asks for a TCX
     * link on ifindex 0, which a TCX kernel refuses with ENODEV and an older one with EINVAL. Touches no device.
     */
    public static boolean tcx() {
        Boolean b = tcx;
        if (b == null) {
            synchronized (Features.class) {
                b = tcx;
                if (b == null) {
                    Boolean probed = probeTcx();
                    if (probed == null) return false; // could not tell (no CAP_BPF): ask again next time
                    tcx = b = probed;
                }
            }
        }
        return b;
    }

    /** True/false, or null when the probe itself could not run. */
    private static Boolean probeTcx() {
        Libbpf.ensureAvailable();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment insns = a.allocate(16, 8);
            insns.set(JAVA_LONG, 0, 0xb7L);  // r0 = 0
            insns.set(JAVA_LONG, 8, 0x95L);  // exit
            int prog = (int) Libbpf.bpf_prog_load.invokeExact(BpfProgram.TYPE_SCHED_CLS, a.allocateFrom("twill_probe"),
                    a.allocateFrom("GPL"), insns, 2L, MemorySegment.NULL);
            if (prog < 0) {
                log.warn("TCX probe: cannot load a probe program ({}); assuming no TCX for now", Errno.name(prog));
                return null;
            }
            try {
                int rc = (int) Libbpf.bpf_link_create.invokeExact(prog, 0, TcDirection.INGRESS.tcxAttachType(), MemorySegment.NULL);
                if (rc >= 0) {
                    Libc.closeFd(rc);
                    return true;
                }
                boolean has = rc == -Errno.ENODEV;
                log.debug("TCX probe: bpf_link_create on ifindex 0 gave {} -> TCX {}", Errno.name(rc), has ? "present" : "absent");
                return has;
            } finally {
                Libc.closeFd(prog);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
