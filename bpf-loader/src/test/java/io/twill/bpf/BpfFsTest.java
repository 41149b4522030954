package io.twill.bpf;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BpfFsTest {
    static final List<String> MOUNTINFO = List.of(
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "23 22 0:21 / /sys rw,nosuid shared:2 - sysfs sysfs rw",
            "24 23 0:22 / /sys/fs/bpf rw,nosuid shared:3 - bpf bpf rw,mode=700",
            "30 22 0:40 / /run/my\\040dir rw shared:9 - tmpfs tmpfs rw",
            "31 22 0:41 / /run/twill-a rw shared:10 - bpf bpf rw");

    @Test
    void findsTheMountHoldingAPath() {
        List<BpfFs.Mount> m = BpfFs.parse(MOUNTINFO);
        assertThat(m).hasSize(5);
        assertThat(BpfFs.holder(m, Path.of("/sys/fs/bpf/twill")).orElseThrow().fsType()).isEqualTo("bpf");
        assertThat(BpfFs.holder(m, Path.of("/sys/kernel")).orElseThrow().fsType()).isEqualTo("sysfs");
        assertThat(BpfFs.holder(m, Path.of("/run/twill-a/pins")).orElseThrow().mountPoint()).isEqualTo(Path.of("/run/twill-a"));
        assertThat(BpfFs.holder(m, Path.of("/run/twill-ab")).orElseThrow().fsType()).isEqualTo("ext4");
        assertThat(BpfFs.holder(m, Path.of("/run/my dir/x")).orElseThrow().fsType()).isEqualTo("tmpfs");
    }

    @Test
    void unescapesOctal() {
        assertThat(BpfFs.unescape("/a\\040b\\134c")).isEqualTo("/a b\\c");
        assertThat(BpfFs.unescape("/plain\\0")).isEqualTo("/plain\\0");
    }

    @Test
    void theRealMountTableParses() {
        assertThat(BpfFs.mounts()).isNotEmpty();
        assertThat(BpfFs.holder(BpfFs.mounts(), Path.of("/"))).isPresent();
    }
}
