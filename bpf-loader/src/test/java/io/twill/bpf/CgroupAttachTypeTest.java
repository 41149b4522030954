package io.twill.bpf;

import io.twill.testkit.Cmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cgroup hooks carry the kernel's {@code enum bpf_attach_type} values: a C program built against the installed
 * linux/bpf.h prints them (as LayoutProofTest does for struct layouts), and libbpf names each value as we do.
 */
class CgroupAttachTypeTest {
    private static final Map<CgroupAttachType, String> C_NAMES = Map.of(
            CgroupAttachType.CONNECT4, "BPF_CGROUP_INET4_CONNECT",
            CgroupAttachType.SENDMSG4, "BPF_CGROUP_UDP4_SENDMSG",
            CgroupAttachType.RECVMSG4, "BPF_CGROUP_UDP4_RECVMSG",
            CgroupAttachType.GETPEERNAME4, "BPF_CGROUP_INET4_GETPEERNAME",
            CgroupAttachType.CONNECT6, "BPF_CGROUP_INET6_CONNECT",
            CgroupAttachType.SENDMSG6, "BPF_CGROUP_UDP6_SENDMSG",
            CgroupAttachType.RECVMSG6, "BPF_CGROUP_UDP6_RECVMSG",
            CgroupAttachType.GETPEERNAME6, "BPF_CGROUP_INET6_GETPEERNAME");

    @Test
    void attachTypesAreTheHeadersValues(@TempDir Path dir) throws IOException {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <linux/bpf.h>\nint main(void) {\n");
        C_NAMES.values().forEach(n -> c.append("  printf(\"%s %d\\n\", \"").append(n).append("\", (int)").append(n).append(");\n"));
        c.append("  return 0;\n}\n");
        Files.writeString(dir.resolve("types.c"), c);
        Cmd.run("cc", "-Wall", "-o", dir.resolve("types").toString(), dir.resolve("types.c").toString());
        Map<String, Integer> fromC = new HashMap<>();
        for (String line : Cmd.run(dir.resolve("types").toString()).stdout().lines().toList()) {
            String[] f = line.split(" ");
            fromC.put(f[0], Integer.parseInt(f[1]));
        }
        for (CgroupAttachType t : CgroupAttachType.values()) {
            assertThat(fromC.get(C_NAMES.get(t))).as(t.name()).isEqualTo(t.attachType());
        }
        assertThat(fromC).hasSize(CgroupAttachType.values().length);
    }

    @Test
    void libbpfNamesTheSameHooksAndSections() {
        assertThat(TypeNames.attach(CgroupAttachType.CONNECT4.attachType())).isEqualTo("cgroup_inet4_connect");
        assertThat(TypeNames.attach(CgroupAttachType.SENDMSG4.attachType())).isEqualTo("cgroup_udp4_sendmsg");
        assertThat(TypeNames.attach(CgroupAttachType.RECVMSG4.attachType())).isEqualTo("cgroup_udp4_recvmsg");
        assertThat(TypeNames.attach(CgroupAttachType.GETPEERNAME4.attachType())).isEqualTo("cgroup_inet4_getpeername");
        assertThat(CgroupAttachType.ofSection("cgroup/recvmsg4")).isEqualTo(CgroupAttachType.RECVMSG4);
        assertThat(CgroupAttachType.ofAttachType(29)).isEqualTo(CgroupAttachType.GETPEERNAME4);
        assertThat(TypeNames.attach(CgroupAttachType.CONNECT6.attachType())).isEqualTo("cgroup_inet6_connect");
        assertThat(TypeNames.attach(CgroupAttachType.RECVMSG6.attachType())).isEqualTo("cgroup_udp6_recvmsg");
        assertThat(CgroupAttachType.ofSection("cgroup/sendmsg6")).isEqualTo(CgroupAttachType.SENDMSG6);
        assertThatThrownBy(() -> CgroupAttachType.ofSection("cgroup/bind4")).hasMessageContaining("none of the cgroup hooks");
        assertThatThrownBy(() -> CgroupAttachType.ofAttachType(46)).hasMessageContaining("tcx_ingress");
    }
}
