package io.twill.bpf;

import io.twill.bpf.internal.Downcall;
import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.Libc;
import io.twill.bpf.internal.PrintBridge;
import io.twill.testkit.Cmd;
import io.twill.testkit.NativeSignatures;
import io.twill.testkit.NativeSignatures.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bindings proven like the layouts are (LayoutProofTest): every constant the loader passes to the kernel or libbpf
 * and every downcall's (and upcall's) signature, against the headers, by programs compiled and run here. The headers
 * are bpf-src/include's vendored UAPI (so TCX's values are checked too) before libbpf's and libc's. No root needed.
 */
class BindingsMatchCTest {
    static final Path VENDORED = Path.of("..", "bpf-src", "include").toAbsolutePath().normalize();

    /** A Java constant and the C expression it must equal. */
    record Constant(String java, long value, String c) {
    }

    static List<Constant> constants() throws ReflectiveOperationException {
        List<Constant> out = new ArrayList<>();
        for (String[] m : new String[][]{{"TYPE_HASH", "BPF_MAP_TYPE_HASH"}, {"TYPE_ARRAY", "BPF_MAP_TYPE_ARRAY"},
                {"TYPE_PERCPU_HASH", "BPF_MAP_TYPE_PERCPU_HASH"}, {"TYPE_PERCPU_ARRAY", "BPF_MAP_TYPE_PERCPU_ARRAY"},
                {"TYPE_LRU_PERCPU_HASH", "BPF_MAP_TYPE_LRU_PERCPU_HASH"}, {"TYPE_LPM_TRIE", "BPF_MAP_TYPE_LPM_TRIE"},
                {"TYPE_PERCPU_CGROUP_STORAGE", "BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE"},
                {"TYPE_RINGBUF", "BPF_MAP_TYPE_RINGBUF"}}) {
            out.add(field(BpfMap.class, m[0], m[1]));
        }
        out.add(field(BpfProgram.class, "TYPE_SCHED_CLS", "BPF_PROG_TYPE_SCHED_CLS"));
        out.add(field(BpfLink.class, "TYPE_TCX", "BPF_LINK_TYPE_TCX"));
        out.add(field(BpfLink.class, "TYPE_CGROUP", "BPF_LINK_TYPE_CGROUP"));
        out.add(field(ClsBpfAttachment.class, "BPF_TC_F_REPLACE", "BPF_TC_F_REPLACE"));
        out.add(field(Rodata.class, "BTF_KIND_DATASEC", "BTF_KIND_DATASEC"));
        out.add(field(Libc.class, "F_DUPFD_CLOEXEC", "F_DUPFD_CLOEXEC"));
        out.add(field(Libc.class, "O_RDONLY", "O_RDONLY"));
        out.add(field(Libc.class, "O_DIRECTORY", "O_DIRECTORY"));
        out.add(field(Libc.class, "O_CLOEXEC", "O_CLOEXEC"));
        out.add(field(PrintBridge.class, "LIBBPF_WARN", "LIBBPF_WARN"));
        out.add(field(PrintBridge.class, "LIBBPF_INFO", "LIBBPF_INFO"));
        out.add(new Constant("TcDirection.INGRESS.tcAttachPoint", TcDirection.INGRESS.tcAttachPoint(), "BPF_TC_INGRESS"));
        out.add(new Constant("TcDirection.EGRESS.tcAttachPoint", TcDirection.EGRESS.tcAttachPoint(), "BPF_TC_EGRESS"));
        out.add(new Constant("TcDirection.INGRESS.tcxAttachType", TcDirection.INGRESS.tcxAttachType(), "BPF_TCX_INGRESS"));
        out.add(new Constant("TcDirection.EGRESS.tcxAttachType", TcDirection.EGRESS.tcxAttachType(), "BPF_TCX_EGRESS"));
        for (UpdateFlag f : UpdateFlag.values()) out.add(new Constant("UpdateFlag." + f, f.value(), "BPF_" + f.name()));
        return out;
    }

    /** int constants that are ours, not C's (versions, sizes, limits). */
    static final Set<String> NOT_C = Set.of("Libbpf.MIN_MAJOR", "Libbpf.MIN_MINOR", "PrintBridge.MAX_CAPTURE",
            "ErrorText.LOG_LINES_IN_MESSAGE");

    private static Constant field(Class<?> owner, String name, String c) throws ReflectiveOperationException {
        Field f = owner.getDeclaredField(name);
        f.setAccessible(true);
        return new Constant(owner.getSimpleName() + "." + name, ((Number) f.get(null)).longValue(), c);
    }

    @Test
    void everyConstantIsTheHeadersValue(@TempDir Path dir) throws Exception {
        List<Constant> constants = constants();
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <fcntl.h>
                #include <bpf/libbpf.h>
                #include <bpf/bpf.h>
                #include <linux/bpf.h>
                #include <linux/btf.h>
                int main(void) {
                """);
        for (Constant k : constants) {
            c.append("  printf(\"%s %lld\\n\", \"").append(k.java()).append("\", (long long)(").append(k.c()).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path src = Files.writeString(dir.resolve("constants.c"), c);
        Path exe = dir.resolve("constants");
        Cmd.run("cc", "-std=gnu11", "-Wall", "-Werror", "-I" + VENDORED, "-o", exe.toString(), src.toString());
        Map<String, Long> fromC = new TreeMap<>(), fromJava = new TreeMap<>();
        for (String line : Cmd.run(exe.toString()).stdout().lines().toList()) {
            String[] f = line.split(" ");
            fromC.put(f[0], Long.parseLong(f[1]));
        }
        constants.forEach(k -> fromJava.put(k.java(), k.value()));
        assertThat(fromJava).isEqualTo(fromC);
    }

    @Test
    void everyIntConstantOfTheBindingsIsCheckedOrNamedAsOurs() throws Exception {
        Set<String> checked = new java.util.HashSet<>();
        constants().forEach(k -> checked.add(k.java()));
        for (Class<?> cls : List.of(BpfMap.class, BpfProgram.class, BpfLink.class, ClsBpfAttachment.class, Rodata.class,
                Libc.class, Libbpf.class, PrintBridge.class, Class.forName("io.twill.bpf.internal.ErrorText"))) {
            for (Field f : cls.getDeclaredFields()) {
                if (f.getType() != int.class || !Modifier.isStatic(f.getModifiers()) || !Modifier.isFinal(f.getModifiers())) continue;
                String name = cls.getSimpleName() + "." + f.getName();
                assertThat(checked.contains(name) || NOT_C.contains(name)).as("%s is checked against C", name).isTrue();
            }
        }
    }

    @Test
    void everyDowncallAndUpcallHasTheHeadersSignature(@TempDir Path dir) {
        List<Signature> sigs = new ArrayList<>();
        Map<String, Downcall> all = new LinkedHashMap<>();
        Libbpf.downcalls().forEach(d -> all.put(d.name(), d));
        Libc.downcalls().forEach(d -> all.put(d.name(), d));
        assertThat(all).as("functions bound").hasSizeGreaterThan(80);
        all.values().forEach(d -> sigs.add(Signature.function(d.name(), d.descriptor(), d.firstVariadicArg())));
        sigs.add(Signature.callback("ring_buffer_sample_fn", Libbpf.RING_BUFFER_SAMPLE_FN));
        sigs.add(Signature.callback("libbpf_print_fn_t", Libbpf.PRINT_FN));
        List<String> headers = List.of("fcntl.h", "unistd.h", "stdio.h", "stdlib.h", "net/if.h", "sys/mount.h",
                "bpf/libbpf.h", "bpf/bpf.h", "bpf/btf.h");
        assertThat(NativeSignatures.mismatches(dir, headers, List.of(VENDORED), sigs)).isEmpty();
    }

    /** The proof can fail: a wrong width, a missing pointer, a lost parameter and a wrong variadic split are caught. */
    @Test
    void theSignatureProofCatchesWrongBindings(@TempDir Path dir) {
        List<Signature> wrong = List.of(
                Signature.function("bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), -1),
                Signature.function("bpf_obj_get", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), -1),
                Signature.function("bpf_link_detach", FunctionDescriptor.of(JAVA_INT), -1),
                Signature.function("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 3));
        assertThat(NativeSignatures.mismatches(dir, List.of("fcntl.h", "bpf/bpf.h"), List.of(VENDORED), wrong))
                .containsExactly(
                        "bpf_map_update_elem: C I4 ( I4 P P I8 ), Java I4 ( I4 P P I4 )",
                        "bpf_obj_get: C I4 ( P ), Java I4 ( I8 )",
                        "bpf_link_detach: C I4 ( I4 ), Java I4 ( )",
                        "fcntl: C I4 ( I4 I4 ... ), Java I4 ( I4 I4 I4 ... )");
    }

    @Test
    void theVendoredHeadersAreTheOnesFound() throws IOException {
        assertThat(Files.readString(VENDORED.resolve("linux/bpf.h"))).contains("BPF_TCX_INGRESS = 46");
    }
}
