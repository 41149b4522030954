package io.twill.maps;

import io.twill.testkit.Cmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bpf-src/include's two edited headers (see its README) say what the system's say: the trimmed linux/if_arp.h and the
 * address families added to linux/socket.h print the same values as libc's sys/socket.h and the distribution's full
 * linux/if_arp.h, by two programs compiled and run here.
 */
class VendoredHeadersTest {
    private static final Path VENDORED = Path.of("..", "bpf-src", "include").toAbsolutePath().normalize();
    private static final String PRINT = """
            int main(void) {
              printf("%d %d %d %d %d %d %zu\\n", ARPHRD_ETHER, ARPOP_REQUEST, ARPOP_REPLY, ARPOP_RREQUEST,
                     AF_INET, AF_INET6, sizeof(struct arphdr));
              return 0;
            }
            """;

    @Test
    void theTrimmedAndAddedConstantsAreTheSystemsValues(@TempDir Path dir) throws Exception {
        String vendored = run(dir, "vendored", "#include <stdio.h>\n#include <linux/if_arp.h>\n#include <linux/socket.h>\n", true);
        String system = run(dir, "system", "#include <stdio.h>\n#include <sys/socket.h>\n#include <linux/if_arp.h>\n", false);
        assertThat(vendored).isEqualTo(system).isEqualTo("1 1 2 3 2 10 8");
    }

    private static String run(Path dir, String name, String includes, boolean vendored) throws Exception {
        Path src = Files.writeString(dir.resolve(name + ".c"), includes + PRINT);
        Path exe = dir.resolve(name);
        if (vendored) {
            Cmd.run("cc", "-std=gnu11", "-Wall", "-Werror", "-I" + VENDORED, "-o", exe.toString(), src.toString());
        } else {
            Cmd.run("cc", "-std=gnu11", "-Wall", "-Werror", "-o", exe.toString(), src.toString());
        }
        return Cmd.run(exe.toString()).stdout().strip();
    }
}
