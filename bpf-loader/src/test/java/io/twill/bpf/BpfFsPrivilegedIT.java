package io.twill.bpf;

import io.twill.testkit.Cmd;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@PrivilegedTest
class BpfFsPrivilegedIT {
    @Test
    void mountsABpffsWhereThePinRootIsNotOnOne() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/run"), "twill-bpffs-it-");
        Path pinRoot = dir.resolve("pins");
        try {
            assertThat(BpfFs.isOnBpfFs(pinRoot)).isFalse();
            assertThat(BpfFs.ensureMounted(pinRoot)).isEqualTo(pinRoot);
            assertThat(BpfFs.isOnBpfFs(pinRoot)).isTrue();
            assertThat(Cmd.run("stat", "-f", "-c", "%T", pinRoot.toString()).stdout().strip()).isEqualTo("bpf_fs");
            // Already there: nothing more is mounted.
            assertThat(BpfFs.ensureMounted(pinRoot.resolve("twill"))).isEqualTo(pinRoot);
            assertThat(Cmd.run("grep", "-c", pinRoot.toString(), "/proc/self/mountinfo").stdout().strip()).isEqualTo("1");
        } finally {
            Cmd.tryRun("umount", pinRoot.toString());
            Files.deleteIfExists(pinRoot);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void theDefaultPinRootIsOnTheHostsBpffs() {
        assertThat(BpfFs.ensureMounted(Path.of("/sys/fs/bpf/twill"))).isEqualTo(Path.of("/sys/fs/bpf"));
    }
}
