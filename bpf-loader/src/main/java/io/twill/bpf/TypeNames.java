package io.twill.bpf;

import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.Native;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** libbpf's names for map, program, attach and link types ("hash", "sched_cls", "tcx_ingress", …). */
final class TypeNames {
    private TypeNames() {}

    static String map(int type) { return name(Libbpf.libbpf_bpf_map_type_str, type); }

    static String program(int type) { return name(Libbpf.libbpf_bpf_prog_type_str, type); }

    static String attach(int type) {
        return switch (type) { // libbpf 1.1 predates TCX
            case 46 -> "tcx_ingress";
            case 47 -> "tcx_egress";
            default -> name(Libbpf.libbpf_bpf_attach_type_str, type);
        };
    }

    static String link(int type) { return type == 11 ? "tcx" : name(Libbpf.libbpf_bpf_link_type_str, type); }

    private static String name(MethodHandle fn, int type) {
        try {
            String s = Native.string((MemorySegment) fn.invokeExact(type));
            return s != null ? s : "type " + type;
        } catch (Throwable t) {
            return "type " + type;
        }
    }
}
