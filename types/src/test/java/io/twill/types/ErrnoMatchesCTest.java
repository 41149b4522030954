package io.twill.types;

import io.twill.testkit.Cmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Every errno constant against errno.h, by a C program compiled and run here (no root). */
class ErrnoMatchesCTest {
    @Test
    void everyConstantIsTheCValue(@TempDir Path dir) throws Exception {
        StringBuilder c = new StringBuilder("#include <errno.h>\n#include <stdio.h>\nint main(void) {\n");
        for (String name : new TreeMap<>(Errno.LIBC).keySet()) {
            c.append("  printf(\"%s %d\\n\", \"").append(name).append("\", ").append(name).append(");\n");
        }
        c.append("  return 0;\n}\n");
        Path src = Files.writeString(dir.resolve("errno.c"), c);
        Path exe = dir.resolve("errno");
        Cmd.run("cc", "-std=gnu11", "-Wall", "-Werror", "-o", exe.toString(), src.toString());
        Map<String, Integer> fromC = new TreeMap<>();
        Cmd.run(exe.toString()).stdout().lines().forEach(l -> {
            String[] f = l.split(" ");
            fromC.put(f[0], Integer.parseInt(f[1]));
        });
        assertThat(new TreeMap<>(Errno.LIBC)).isEqualTo(fromC);
    }

    @Test
    void everyPublicConstantIsCheckedOrNamedAsKernelInternal() throws Exception {
        for (var f : Errno.class.getFields()) {
            if (f.getType() != int.class) continue;
            int v = f.getInt(null);
            if (f.getName().equals("ENOTSUPP") || f.getName().equals("ETOOSMALL")) continue;
            assertThat(Errno.LIBC).as(f.getName()).containsEntry(f.getName(), v);
            assertThat(Errno.name(v)).isEqualTo(f.getName());
            assertThat(Errno.name(-v)).isEqualTo(f.getName());
        }
        assertThat(Errno.name(4007)).isEqualTo("LIBBPF_ERRNO__VERIFY");
        assertThat(Errno.name(524)).isEqualTo("ENOTSUPP");
        assertThat(Errno.name(4242)).isEqualTo("errno 4242");
    }
}
