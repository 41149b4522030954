package io.twill.bpf;

import io.twill.types.Errno;
import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.Libc;

import java.util.OptionalInt;

/**
 * The entry point for putting a program on a device's TC hook: TCX where the kernel has it, cls_bpf otherwise
 * (see {@link TcAttachOptions}). Devices are looked up in the calling thread's network namespace, and cls_bpf works
 * through netlink in that namespace, so call from a thread inside the device's namespace.
 */
public final class Tc {
    private Tc() {}

    /** Attaches {@code program} to device {@code ifname}. */
    public static TcAttachment attach(String ifname, TcDirection direction, BpfProgram program, TcAttachOptions options) {
        return attach(ifindex(ifname), ifname, direction, program, options);
    }

    /** Attaches {@code program} to the device with index {@code ifindex}. */
    public static TcAttachment attach(int ifindex, TcDirection direction, BpfProgram program, TcAttachOptions options) {
        return attach(ifindex, null, direction, program, options);
    }

    private static TcAttachment attach(int ifindex, String ifname, TcDirection direction, BpfProgram program,
                                       TcAttachOptions o) {
        Libbpf.ensureAvailable();
        boolean tcx = switch (o.mode()) {
            case TCX -> {
                if (!Features.tcx()) throw new UnsupportedFeatureException("TCX links", "Linux 6.6", Errno.EINVAL);
                yield true;
            }
            case CLS_BPF -> false;
            case AUTO -> Features.tcx();
        };
        if (tcx) return TcxAttachment.attach(ifindex, direction, program, o.linkPin(), o.onClose());
        return ClsBpfAttachment.attach(ifindex, ifname, direction, program, o.handle(), o.priority(),
                o.replaceExisting(), o.onClose());
    }

    /** The program id of the cls_bpf filter at handle/priority on {@code ifname}, if there is one. */
    public static OptionalInt queryClsBpf(String ifname, TcDirection direction, int handle, int priority) {
        return ClsBpfAttachment.query(ifindex(ifname), direction, handle, priority);
    }

    /** The index of device {@code ifname} in the calling thread's network namespace. */
    public static int ifindex(String ifname) {
        if (ifname == null || ifname.isEmpty() || ifname.length() > 15) {
            throw new IllegalArgumentException("invalid interface name '" + ifname + "' (1 to 15 characters)");
        }
        int idx = Libc.ifNameToIndex(ifname);
        if (idx > 0) return idx;
        throw new BpfException("if_nametoindex", ifname, -idx,
                "no network interface '" + ifname + "' in this thread's network namespace", "");
    }

    /** A hint for errors that mean the device is not there. */
    static String deviceHint(int rc, int ifindex) {
        if (rc != -Errno.ENODEV && rc != -Errno.ENXIO && rc != -Errno.EINVAL) return null;
        String name = Libc.ifIndexToName(ifindex);
        return name == null ? "no network interface with index " + ifindex + " in this thread's network namespace" : null;
    }
}
