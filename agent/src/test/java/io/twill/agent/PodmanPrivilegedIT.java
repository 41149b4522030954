package io.twill.agent;

import io.twill.agent.datapath.NodeNamespace;
import io.twill.testkit.Cmd;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.Requires;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Standalone mode with a real container runtime: podman 4.3 (CNI backend, libcni 1.1) runs two busybox containers on
 * a network whose conflist names {@code twill-cni}; the in-process agent of a simulated node serves them. The setup
 * follows shared/reference/podman-cni.md (runc, cgroupfs, file events, all in a private config and storage dir).
 */
@PrivilegedTest
class PodmanPrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    NodeFixture fx;
    NodeNamespace nodeNs;
    Agent agent;
    Path dir;
    Map<String, String> env;

    @AfterEach
    void tearDown() throws Exception {
        if (env != null) podman("rm", "-a", "-f", "-t", "0");
        if (agent != null) agent.close();
        if (nodeNs != null) nodeNs.close();
        if (fx != null) fx.close();
        if (dir != null) NodeFixture.deleteTree(dir);
    }

    Cmd.Result podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            StringBuilder err = new StringBuilder();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (java.io.IOException ignored) {
                    // gone
                }
            });
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            t.join();
            return new Cmd.Result(cmd, p.exitValue(), out, err.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void podmanContainersGetTwillNetworking() throws Exception {
        Requires.tool("podman", "/usr/sbin/runc", "/bin/busybox");
        fx = new NodeFixture(netns, false);
        nodeNs = NodeNamespace.at(fx.node.path());
        agent = Agent.start(fx.config(), nodeNs);

        dir = Files.createTempDirectory("twill-podman-");
        Path bin = Files.createDirectories(dir.resolve("bin")), netd = Files.createDirectories(dir.resolve("net.d"));
        Files.copy(CniShim.BINARY, bin.resolve("twill-cni"));
        Path rootfs = dir.resolve("rootfs");
        for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp", "run", "var")) Files.createDirectories(rootfs.resolve(d));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String a : List.of("sh", "ip", "ping", "sleep", "cat")) Files.createSymbolicLink(rootfs.resolve("bin/" + a), Path.of("busybox"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(dir.resolve("containers.conf"), """
                [containers]
                default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                runtime = "runc"
                [network]
                network_backend = "cni"
                cni_plugin_dirs = ["%s", "/usr/lib/cni"]
                network_config_dir = "%s"
                """.formatted(bin, netd));
        Files.writeString(dir.resolve("storage.conf"), """
                [storage]
                driver = "overlay"
                graphroot = "%s"
                runroot = "%s"
                """.formatted(dir.resolve("storage"), dir.resolve("runroot")));
        Files.writeString(netd.resolve("twill.conflist"), """
                {"cniVersion": "1.0.0", "name": "twill",
                 "plugins": [{"type": "twill-cni", "agentSocket": "%s"}]}""".formatted(fx.socket()));
        env = new HashMap<>(Map.of("CONTAINERS_CONF", dir.resolve("containers.conf").toString(),
                "CONTAINERS_STORAGE_CONF", dir.resolve("storage.conf").toString()));

        podman("run", "-d", "--name", "tw-a", "--network", "twill", "--rootfs", rootfs.toString(), "/bin/sleep", "300").check();
        String ipA = podman("inspect", "tw-a", "--format", "{{(index .NetworkSettings.Networks \"twill\").IPAddress}}").check().stdout().strip();
        assertThat(ipA).startsWith("10.77.1.");
        assertThat(agent.endpoints().registry().count()).isEqualTo(1);
        Cmd.Result b = podman("run", "--rm", "--name", "tw-b", "--network", "twill", "--rootfs", rootfs.toString(),
                "/bin/sh", "-c", "ip -4 -o addr show eth0; ip route; ping -c 3 -W 2 " + ipA + "; ping -c 1 -W 2 " + NodeFixture.NODE_IP);
        assertThat(b.exit()).as(b.toString()).isZero();
        assertThat(b.stdout()).contains("/32").contains("default via 10.77.1.1").contains("3 packets received");
        // podman rm: DEL; the agent removes the endpoint (tw-b's went when its run ended).
        podman("rm", "-f", "-t", "0", "tw-a").check();
        assertThat(agent.endpoints().registry().count()).isZero();
        assertThat(AgentPrivilegedIT.links(fx.node)).noneMatch(l -> l.startsWith("lxc"));
        assertThat(agent.ipam().allocations()).isEmpty();
    }
}
