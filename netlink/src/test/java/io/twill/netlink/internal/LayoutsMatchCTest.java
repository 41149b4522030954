package io.twill.netlink.internal;

import io.twill.testkit.NativeSignatures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Proves every hand-written layout and constant against the C headers: the test writes a C program that prints
 * sizeof/_Alignof/offsetof of each struct and member named in {@link Structs}, and the value of every constant named
 * in {@link Rtnl} and {@link LibC} (errno values: the types module's ErrnoMatchesCTest), compiles it with {@code cc} and
 * compares; and every libc downcall's signature ({@link NativeSignatures}). A member, constant or function whose name C
 * does not know fails the compile; any other difference fails the comparison.
 */
class LayoutsMatchCTest {
    private static final String HEADERS = """
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <stddef.h>
            #include <errno.h>
            #include <fcntl.h>
            #include <sched.h>
            #include <sys/socket.h>
            #include <linux/netlink.h>
            #include <linux/rtnetlink.h>
            #include <linux/if.h>
            #include <linux/if_link.h>
            #include <linux/if_addr.h>
            #include <linux/neighbour.h>
            #include <linux/veth.h>
            """;
    private static Map<String, String> cValues;

    @BeforeAll
    static void compileAndRun(@TempDir Path dir) throws Exception {
        StringBuilder c = new StringBuilder(HEADERS).append("int main(void) {\n");
        for (StructLayout s : Structs.ALL) {
            String st = "struct " + name(s);
            c.append("  printf(\"%s %zu %zu\\n\", \"").append(name(s)).append("\", sizeof(").append(st)
                    .append("), _Alignof(").append(st).append("));\n");
            for (MemoryLayout m : s.memberLayouts()) {
                if (m instanceof PaddingLayout) continue;
                String f = m.name().orElseThrow();
                c.append("  printf(\"%s.%s %zu %zu\\n\", \"").append(name(s)).append("\", \"").append(f)
                        .append("\", offsetof(").append(st).append(", ").append(f).append("), sizeof(((")
                        .append(st).append(" *)0)->").append(f).append("));\n");
            }
        }
        for (Map.Entry<String, Long> k : constants().entrySet()) {
            c.append("  printf(\"%s %lld\\n\", \"").append(k.getKey()).append("\", (long long)(")
                    .append(k.getKey()).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Path src = dir.resolve("probe.c"), bin = dir.resolve("probe");
        Files.writeString(src, c);
        String compile = run(List.of("cc", "-Wall", "-o", bin.toString(), src.toString()));
        String out = run(List.of(bin.toString()));
        assertThat(compile).as("compiler output").isEmpty();
        cValues = new LinkedHashMap<>();
        out.lines().forEach(l -> {
            int sp = l.indexOf(' ');
            cValues.put(l.substring(0, sp), l.substring(sp + 1));
        });
    }

    private static String name(MemoryLayout l) {
        return l.name().orElseThrow(() -> new AssertionError("unnamed layout " + l));
    }

    /** Every public static final int of Rtnl and LibC. */
    private static Map<String, Long> constants() throws IllegalAccessException {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Class<?> cls : List.of(Rtnl.class, LibC.class)) {
            for (Field f : cls.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (!Modifier.isPublic(mod) || !Modifier.isStatic(mod) || f.getType() != int.class) continue;
                m.put(f.getName(), (long) f.getInt(null));
            }
        }
        return m;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) fail(cmd + " failed:\n" + out);
        return out;
    }

    @Test
    void everyStructMatchesSizeAlignmentAndMemberOffsets() {
        List<String> mismatches = new ArrayList<>();
        for (StructLayout s : Structs.ALL) {
            String expect = s.byteSize() + " " + s.byteAlignment();
            compare(mismatches, name(s), expect);
            for (MemoryLayout m : s.memberLayouts()) {
                if (m instanceof PaddingLayout) continue;
                String f = m.name().orElseThrow();
                long off = s.byteOffset(MemoryLayout.PathElement.groupElement(f));
                compare(mismatches, name(s) + "." + f, off + " " + m.byteSize());
            }
            // a member C has but Java lacks shows up as a size difference above; make sure the members tile the struct
            long covered = s.memberLayouts().stream().mapToLong(MemoryLayout::byteSize).sum();
            if (covered != s.byteSize()) mismatches.add(name(s) + ": members cover " + covered + " of " + s.byteSize() + " bytes");
        }
        assertThat(mismatches).as("Java layouts that differ from C").isEmpty();
        assertThat(Structs.ALL).allMatch(s -> s instanceof GroupLayout);
    }

    @Test
    void everyConstantMatchesC() throws IllegalAccessException {
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Long> k : constants().entrySet()) {
            compare(mismatches, k.getKey(), Long.toString(k.getValue()));
        }
        assertThat(constants()).hasSizeGreaterThan(100);
        assertThat(mismatches).as("Java constants that differ from C").isEmpty();
    }

    private static void compare(List<String> mismatches, String key, String java) {
        String c = cValues.get(key);
        if (!java.equals(c)) mismatches.add(key + ": C=" + c + " Java=" + java);
    }

    @Test
    void everyDowncallHasTheHeadersSignature(@TempDir Path dir) {
        List<NativeSignatures.Signature> sigs = LibC.downcalls().stream()
                .map(d -> NativeSignatures.Signature.function(d.name(), d.descriptor(), d.firstVariadicArg())).toList();
        assertThat(sigs).hasSizeGreaterThanOrEqualTo(10);
        assertThat(NativeSignatures.mismatches(dir, List.of("fcntl.h", "unistd.h", "sched.h", "string.h", "sys/socket.h"),
                List.of(), sigs)).isEmpty();
    }
}
