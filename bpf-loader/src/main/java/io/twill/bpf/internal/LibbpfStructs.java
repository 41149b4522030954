package io.twill.bpf.internal;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.GroupLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Every C struct the bindings read or write (x86_64/arm64 LP64, libbpf 1.1.2, uapi from bpf-src/include), in one
 * place. Member names are the C field names; a group without a name is an anonymous C union/struct; padding is
 * explicit, including the tail padding that libbpf's {@code size_t :0} adds. {@code LayoutProofTest} compiles a C
 * program against the installed headers and compares every size, alignment and named member's offset and size.
 */
public final class LibbpfStructs {
    private LibbpfStructs() {}

    /** libbpf.h: {@code struct bpf_tc_hook { size_t sz; int ifindex; enum attach_point; __u32 parent; size_t :0; }} */
    public static final StructLayout bpf_tc_hook = structLayout(
            JAVA_LONG.withName("sz"), JAVA_INT.withName("ifindex"), JAVA_INT.withName("attach_point"),
            JAVA_INT.withName("parent"), paddingLayout(4)).withName("bpf_tc_hook");

    /** libbpf.h: {@code struct bpf_tc_opts} */
    public static final StructLayout bpf_tc_opts = structLayout(
            JAVA_LONG.withName("sz"), JAVA_INT.withName("prog_fd"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("prog_id"), JAVA_INT.withName("handle"), JAVA_INT.withName("priority"),
            paddingLayout(4)).withName("bpf_tc_opts");

    /** bpf.h: {@code struct bpf_test_run_opts} */
    public static final StructLayout bpf_test_run_opts = structLayout(
            JAVA_LONG.withName("sz"), ADDRESS.withName("data_in"), ADDRESS.withName("data_out"),
            JAVA_INT.withName("data_size_in"), JAVA_INT.withName("data_size_out"),
            ADDRESS.withName("ctx_in"), ADDRESS.withName("ctx_out"),
            JAVA_INT.withName("ctx_size_in"), JAVA_INT.withName("ctx_size_out"),
            JAVA_INT.withName("retval"), JAVA_INT.withName("repeat"), JAVA_INT.withName("duration"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("cpu"), JAVA_INT.withName("batch_size"))
            .withName("bpf_test_run_opts");

    /** libbpf.h: {@code struct bpf_object_open_opts} (the {@code __u32 :32} stub is padding) */
    public static final StructLayout bpf_object_open_opts = structLayout(
            JAVA_LONG.withName("sz"), ADDRESS.withName("object_name"), JAVA_BOOLEAN.withName("relaxed_maps"),
            paddingLayout(7), ADDRESS.withName("pin_root_path"), paddingLayout(8),
            ADDRESS.withName("kconfig"), ADDRESS.withName("btf_custom_path"), ADDRESS.withName("kernel_log_buf"),
            JAVA_LONG.withName("kernel_log_size"), JAVA_INT.withName("kernel_log_level"), paddingLayout(4))
            .withName("bpf_object_open_opts");

    /** bpf.h: {@code struct bpf_map_batch_opts} */
    public static final StructLayout bpf_map_batch_opts = structLayout(
            JAVA_LONG.withName("sz"), JAVA_LONG.withName("elem_flags"), JAVA_LONG.withName("flags"))
            .withName("bpf_map_batch_opts");

    /** bpf.h: {@code struct bpf_link_create_opts} */
    public static final StructLayout bpf_link_create_opts = structLayout(
            JAVA_LONG.withName("sz"), JAVA_INT.withName("flags"), paddingLayout(4), ADDRESS.withName("iter_info"),
            JAVA_INT.withName("iter_info_len"), JAVA_INT.withName("target_btf_id"),
            unionLayout(
                    structLayout(JAVA_LONG.withName("bpf_cookie")).withName("perf_event"),
                    structLayout(JAVA_INT.withName("flags"), JAVA_INT.withName("cnt"), ADDRESS.withName("syms"),
                            ADDRESS.withName("addrs"), ADDRESS.withName("cookies")).withName("kprobe_multi"),
                    structLayout(JAVA_LONG.withName("cookie")).withName("tracing")))
            .withName("bpf_link_create_opts");

    /** bpf.h: {@code struct bpf_link_update_opts} */
    public static final StructLayout bpf_link_update_opts = structLayout(
            JAVA_LONG.withName("sz"), JAVA_INT.withName("flags"), JAVA_INT.withName("old_prog_fd"))
            .withName("bpf_link_update_opts");

    /** libbpf.h: {@code struct ring_buffer_opts} */
    public static final StructLayout ring_buffer_opts = structLayout(JAVA_LONG.withName("sz")).withName("ring_buffer_opts");

    /** linux/bpf.h: {@code struct bpf_map_info} */
    public static final StructLayout bpf_map_info = structLayout(
            JAVA_INT.withName("type"), JAVA_INT.withName("id"), JAVA_INT.withName("key_size"),
            JAVA_INT.withName("value_size"), JAVA_INT.withName("max_entries"), JAVA_INT.withName("map_flags"),
            sequenceLayout(16, JAVA_BYTE).withName("name"), JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("btf_vmlinux_value_type_id"), JAVA_LONG.withName("netns_dev"),
            JAVA_LONG.withName("netns_ino"), JAVA_INT.withName("btf_id"), JAVA_INT.withName("btf_key_type_id"),
            JAVA_INT.withName("btf_value_type_id"), paddingLayout(4), JAVA_LONG.withName("map_extra"))
            .withName("bpf_map_info");

    /** linux/bpf.h: {@code struct bpf_prog_info} (the {@code gpl_compatible:1} bit field word is padding here) */
    public static final StructLayout bpf_prog_info = structLayout(
            JAVA_INT.withName("type"), JAVA_INT.withName("id"), sequenceLayout(8, JAVA_BYTE).withName("tag"),
            JAVA_INT.withName("jited_prog_len"), JAVA_INT.withName("xlated_prog_len"),
            JAVA_LONG.withName("jited_prog_insns"), JAVA_LONG.withName("xlated_prog_insns"),
            JAVA_LONG.withName("load_time"), JAVA_INT.withName("created_by_uid"), JAVA_INT.withName("nr_map_ids"),
            JAVA_LONG.withName("map_ids"), sequenceLayout(16, JAVA_BYTE).withName("name"),
            JAVA_INT.withName("ifindex"), paddingLayout(4), JAVA_LONG.withName("netns_dev"),
            JAVA_LONG.withName("netns_ino"), JAVA_INT.withName("nr_jited_ksyms"),
            JAVA_INT.withName("nr_jited_func_lens"), JAVA_LONG.withName("jited_ksyms"),
            JAVA_LONG.withName("jited_func_lens"), JAVA_INT.withName("btf_id"),
            JAVA_INT.withName("func_info_rec_size"), JAVA_LONG.withName("func_info"),
            JAVA_INT.withName("nr_func_info"), JAVA_INT.withName("nr_line_info"), JAVA_LONG.withName("line_info"),
            JAVA_LONG.withName("jited_line_info"), JAVA_INT.withName("nr_jited_line_info"),
            JAVA_INT.withName("line_info_rec_size"), JAVA_INT.withName("jited_line_info_rec_size"),
            JAVA_INT.withName("nr_prog_tags"), JAVA_LONG.withName("prog_tags"), JAVA_LONG.withName("run_time_ns"),
            JAVA_LONG.withName("run_cnt"), JAVA_LONG.withName("recursion_misses"),
            JAVA_INT.withName("verified_insns"), JAVA_INT.withName("attach_btf_obj_id"),
            JAVA_INT.withName("attach_btf_id"), paddingLayout(4))
            .withName("bpf_prog_info");

    /**
     * linux/bpf.h: {@code struct bpf_link_info}, with only the union members read here. {@code tcx} is the kernel
     * 6.6 member (same offsets as {@code netns}), proven against bpf-src/include's vendored bpf.h.
     */
    public static final StructLayout bpf_link_info = structLayout(
            JAVA_INT.withName("type"), JAVA_INT.withName("id"), JAVA_INT.withName("prog_id"), paddingLayout(4),
            unionLayout(
                    structLayout(JAVA_INT.withName("netns_ino"), JAVA_INT.withName("attach_type")).withName("netns"),
                    structLayout(JAVA_INT.withName("ifindex"), JAVA_INT.withName("attach_type")).withName("tcx"),
                    structLayout(JAVA_LONG.withName("cgroup_id"), JAVA_INT.withName("attach_type"), paddingLayout(4))
                            .withName("cgroup"),
                    paddingLayout(32)))
            .withByteAlignment(8) // __attribute__((aligned(8)))
            .withName("bpf_link_info");

    /** linux/btf.h: {@code struct btf_type} ({@code size} and {@code type} share the last word) */
    public static final StructLayout btf_type = structLayout(
            JAVA_INT.withName("name_off"), JAVA_INT.withName("info"),
            unionLayout(JAVA_INT.withName("size"), JAVA_INT.withName("type")))
            .withName("btf_type");

    /** linux/btf.h: {@code struct btf_var_secinfo} (follows a DATASEC's btf_type, vlen times) */
    public static final StructLayout btf_var_secinfo = structLayout(
            JAVA_INT.withName("type"), JAVA_INT.withName("offset"), JAVA_INT.withName("size"))
            .withName("btf_var_secinfo");

    /** linux/btf.h: {@code struct btf_member} (follows a STRUCT/UNION's btf_type, vlen times) */
    public static final StructLayout btf_member = structLayout(
            JAVA_INT.withName("name_off"), JAVA_INT.withName("type"), JAVA_INT.withName("offset"))
            .withName("btf_member");

    /** Every layout above, for the proof test. */
    public static final List<StructLayout> ALL = List.of(bpf_tc_hook, bpf_tc_opts, bpf_test_run_opts,
            bpf_object_open_opts, bpf_map_batch_opts, bpf_link_create_opts, bpf_link_update_opts, ring_buffer_opts,
            bpf_map_info, bpf_prog_info, bpf_link_info, btf_type, btf_var_secinfo, btf_member);

    /** A VarHandle for {@code struct.path} (dotted, e.g. "netns.attach_type"; anonymous unions are looked through), taking (segment, 0L). */
    public static VarHandle field(StructLayout struct, String path) {
        return struct.varHandle(resolve(struct, path));
    }

    /** Byte offset of {@code struct.path}. */
    public static long offset(StructLayout struct, String path) {
        return struct.byteOffset(resolve(struct, path));
    }

    private static MemoryLayout.PathElement[] resolve(GroupLayout struct, String path) {
        List<MemoryLayout.PathElement> out = new ArrayList<>();
        GroupLayout group = struct;
        for (String part : path.split("\\.")) {
            MemoryLayout found = find(group, part, out);
            if (found == null) throw new IllegalArgumentException("no member " + path + " in " + struct.name().orElse("?"));
            if (found instanceof GroupLayout g) group = g;
        }
        return out.toArray(MemoryLayout.PathElement[]::new);
    }

    /** Finds {@code name} among the members of {@code group}, descending into unnamed groups; appends the path. */
    private static MemoryLayout find(GroupLayout group, String name, List<MemoryLayout.PathElement> path) {
        List<MemoryLayout> members = group.memberLayouts();
        for (int i = 0; i < members.size(); i++) {
            MemoryLayout m = members.get(i);
            if (m.name().filter(name::equals).isPresent()) {
                path.add(groupElement(i));
                return m;
            }
        }
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i) instanceof GroupLayout g && g.name().isEmpty()) {
                path.add(groupElement(i));
                MemoryLayout found = find(g, name, path);
                if (found != null) return found;
                path.removeLast();
            }
        }
        return null;
    }
}
