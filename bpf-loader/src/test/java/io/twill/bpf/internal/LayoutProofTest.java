package io.twill.bpf.internal;

import io.twill.testkit.Cmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves every hand-written struct layout against the C compiler: generates a C program from the Java layouts that
 * prints sizeof/_Alignof of each struct and offsetof/sizeof of each named member, compiles it with {@code cc}
 * against bpf-src/include's vendored UAPI headers (TCX's {@code bpf_link_info.tcx} included) and the installed
 * libbpf's, runs it and compares. No root needed.
 */
class LayoutProofTest {
    static final Path VENDORED = Path.of("..", "bpf-src", "include").toAbsolutePath().normalize();

    /** One fact: "S struct" → size/align, or "M struct.path" → offset/size. */
    record Fact(String key, long a, long b) {}

    @Test
    void everyLayoutMatchesTheInstalledHeaders(@TempDir Path dir) throws IOException {
        List<String> mismatches = compare(LibbpfStructs.ALL, dir);
        assertThat(mismatches).as("Java layouts that differ from the C compiler's").isEmpty();
    }

    @Test
    void theProofCatchesABrokenLayout(@TempDir Path dir) throws IOException {
        // bpf_tc_hook without the tail padding that `size_t :0` adds: 20 bytes instead of 24.
        StructLayout broken = structLayout(JAVA_LONG.withName("sz"), JAVA_INT.withName("ifindex"),
                JAVA_INT.withName("attach_point"), JAVA_INT.withName("parent")).withName("bpf_tc_hook");
        // bpf_tc_opts with prog_id and flags swapped.
        StructLayout swapped = structLayout(JAVA_LONG.withName("sz"), JAVA_INT.withName("prog_fd"),
                JAVA_INT.withName("prog_id"), JAVA_INT.withName("flags"), JAVA_INT.withName("handle"),
                JAVA_INT.withName("priority"), paddingLayout(4)).withName("bpf_tc_opts");
        List<String> mismatches = compare(List.of(broken, swapped), dir);
        assertThat(mismatches).anyMatch(m -> m.startsWith("bpf_tc_hook size"));
        assertThat(mismatches).anyMatch(m -> m.startsWith("bpf_tc_opts.flags offset"));
        assertThat(mismatches).anyMatch(m -> m.startsWith("bpf_tc_opts.prog_id offset"));
    }

    @Test
    void namedMembersResolveThroughAnonymousUnions() {
        assertThat(LibbpfStructs.offset(LibbpfStructs.bpf_link_info, "tcx.ifindex")).isEqualTo(16);
        assertThat(LibbpfStructs.offset(LibbpfStructs.bpf_link_info, "netns.attach_type")).isEqualTo(20);
        assertThat(LibbpfStructs.offset(LibbpfStructs.btf_type, "size")).isEqualTo(8);
    }

    static List<String> compare(List<StructLayout> layouts, Path dir) throws IOException {
        Map<String, Fact> java = new LinkedHashMap<>();
        for (StructLayout s : layouts) {
            String name = s.name().orElseThrow();
            java.put("S " + name, new Fact("S " + name, s.byteSize(), s.byteAlignment()));
            walk(name, s, "", 0, java);
        }
        Path src = dir.resolve("layouts.c");
        Files.writeString(src, cProgram(java));
        Path exe = dir.resolve("layouts");
        Cmd.run("cc", "-std=gnu11", "-Wall", "-I" + VENDORED, "-o", exe.toString(), src.toString());
        Map<String, Fact> c = new LinkedHashMap<>();
        for (String line : Cmd.run(exe.toString()).stdout().lines().toList()) {
            String[] f = line.split(" ");
            c.put(f[0] + " " + f[1], new Fact(f[0] + " " + f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
        }
        List<String> mismatches = new ArrayList<>();
        for (Fact j : java.values()) {
            Fact k = c.get(j.key());
            if (k == null) {
                mismatches.add(j.key().substring(2) + ": not printed by the C program");
                continue;
            }
            String what = j.key().substring(2);
            boolean struct = j.key().startsWith("S ");
            if (j.a() != k.a()) mismatches.add(what + (struct ? " size" : " offset") + ": C " + k.a() + ", Java " + j.a());
            if (j.b() != k.b()) mismatches.add(what + (struct ? " alignment" : " size") + ": C " + k.b() + ", Java " + j.b());
        }
        return mismatches;
    }

    /** Records each named member (recursing into groups; unnamed groups are C's anonymous unions/structs). */
    private static void walk(String struct, GroupLayout g, String prefix, long base, Map<String, Fact> out) {
        long offset = base;
        for (MemoryLayout m : g.memberLayouts()) {
            long at = g instanceof UnionLayout ? base : offset;
            if (!(m instanceof PaddingLayout)) {
                if (m.name().isPresent()) {
                    String path = prefix + m.name().get();
                    out.put("M " + struct + "." + path, new Fact("M " + struct + "." + path, at, m.byteSize()));
                    if (m instanceof GroupLayout sub) walk(struct, sub, path + ".", at, out);
                } else if (m instanceof GroupLayout sub) {
                    walk(struct, sub, prefix, at, out);
                }
            }
            offset += m.byteSize();
        }
    }

    private static String cProgram(Map<String, Fact> facts) {
        StringBuilder sb = new StringBuilder("""
                #include <stddef.h>
                #include <stdio.h>
                #include <bpf/libbpf.h>
                #include <bpf/bpf.h>
                #include <linux/bpf.h>
                #include <linux/btf.h>
                #define MSIZE(s, m) sizeof(((struct s *)0)->m)
                int main(void) {
                """);
        for (String key : facts.keySet()) {
            String name = key.substring(2);
            if (key.startsWith("S ")) {
                sb.append("  printf(\"S %s %zu %zu\\n\", \"").append(name).append("\", sizeof(struct ").append(name)
                        .append("), _Alignof(struct ").append(name).append("));\n");
            } else {
                int dot = name.indexOf('.');
                String s = name.substring(0, dot), path = name.substring(dot + 1);
                sb.append("  printf(\"M %s %zu %zu\\n\", \"").append(name).append("\", offsetof(struct ").append(s)
                        .append(", ").append(path).append("), MSIZE(").append(s).append(", ").append(path).append("));\n");
            }
        }
        return sb.append("  return 0;\n}\n").toString();
    }
}
