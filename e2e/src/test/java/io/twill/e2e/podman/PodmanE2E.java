package io.twill.e2e.podman;

import io.twill.testkit.Cmd;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real container runtime drives Twill: podman 4.3 (CNI backend, libcni 1.1) runs busybox containers on the network
 * {@code twill} of a standalone node made by {@code ci/podman/standalone-node} (the agent as a process in its node
 * namespace, the shipped conflist installed by {@code install-cni.sh}). Containers reach each other over ICMP and TCP,
 * CHECK passes on what libcni cached, and both of podman's DEL paths ({@code podman rm}, and the cleanup process
 * after a {@code --rm} container exits, with its bare environment) free the endpoint state, the IPAM file, the lxc
 * device, the map entry and libcni's cache.
 *
 * <p>Unlike {@code agent/…/PodmanPrivilegedIT} (the agent in the test JVM), this runs the agent the way a user does:
 * {@code io.twill.agent.Main} with a YAML config, over the installed twill-cni.
 */
@PrivilegedTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodmanE2E {
    private static final Path CNI_CACHE = Path.of("/var/lib/cni/results");
    private StandaloneNode node;

    @BeforeAll
    void up() {
        StandaloneNode.requireTools("podman", "runc", "busybox", "nsenter", "bpftool");
        node = StandaloneNode.up();
    }

    @AfterAll
    void down() {
        if (node != null) node.close();
    }

    record Container(String name, String id, String ip, Path netns) {
        Path cacheFile() {
            return CNI_CACHE.resolve(StandaloneNode.NETWORK + "-" + id + "-eth0");
        }
    }

    /** A detached container serving TCP 8080: it answers "<hostname> got: <first line>". */
    Container server(String name) {
        node.podman("run", "-d", "--name", name, "--hostname", name, "--network", StandaloneNode.NETWORK,
                "--rootfs", node.rootfs().toString(), "/bin/nc", "-ll", "-p", "8080", "-e", "/bin/reply").check();
        String[] f = node.podman("inspect", name, "--format",
                "{{.Id}} {{(index .NetworkSettings.Networks \"twill\").IPAddress}} {{.NetworkSettings.SandboxKey}}")
                .check().stdout().strip().split(" ");
        return new Container(name, f[0], f[1], Path.of(f[2]));
    }

    Cmd.Result exec(Container in, String script) {
        return node.podman("exec", in.name(), "/bin/sh", "-c", script);
    }

    /** Retries {@code assertion} until it passes or {@code limit} is over (then its last failure is thrown). */
    static void eventually(Duration limit, Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(200);
            }
        }
    }

    @Test
    void containersTalkCheckPassesAndRemovingThemFreesEverything() throws Exception {
        Path reply = node.rootfs().resolve("bin/reply");
        Files.writeString(reply, "#!/bin/sh\nread line\necho \"$(hostname) got: $line\"\n");
        Files.setPosixFilePermissions(reply, PosixFilePermissions.fromString("rwxr-xr-x"));

        Container a = server("tw-a");
        Container b = server("tw-b");
        // Addresses from the node's pod CIDR (10.90.0.0/24; .1 is the gateway), and everything ADD made.
        assertThat(a.ip()).startsWith("10.90.0.").isNotEqualTo(b.ip()).isNotEqualTo("10.90.0.1");
        assertThat(b.ip()).startsWith("10.90.0.");
        assertThat(node.stateFiles("endpoints")).containsExactlyInAnyOrder(a.id() + "_eth0.json", b.id() + "_eth0.json");
        assertThat(node.stateFiles("ipam")).containsExactlyInAnyOrder(a.ip(), b.ip());
        assertThat(node.lxcDevices()).hasSize(2);
        assertThat(node.endpointMapIps()).containsExactlyInAnyOrder(a.ip(), b.ip());
        assertThat(a.cacheFile()).exists();
        assertThat(a.netns()).exists();
        assertThat(node.podman("exec", "tw-a", "/bin/ip", "route").check().stdout()).contains("default via 10.90.0.1");

        // Both directions, ICMP and a TCP exchange that names the container that answered.
        Cmd.Result ab = exec(a, "ping -c 3 -W 2 " + b.ip() + " && echo hello-from-a | nc -w 3 " + b.ip() + " 8080");
        assertThat(ab.exit()).as(ab.toString()).isZero();
        assertThat(ab.stdout()).contains("3 packets received").contains("tw-b got: hello-from-a");
        Cmd.Result ba = exec(b, "ping -c 3 -W 2 " + a.ip() + " && echo hello-from-b | nc -w 3 " + a.ip() + " 8080");
        assertThat(ba.exit()).as(ba.toString()).isZero();
        assertThat(ba.stdout()).contains("3 packets received").contains("tw-a got: hello-from-b");

        // CHECK, which podman never sends, exactly as libcni would build it from its own cache file.
        LibCni libcni = new LibCni(node.conflist(), List.of(node.cniBin(), Path.of("/usr/lib/cni")));
        assertThat(LibCni.cachedConfig(a.cacheFile())).contains("\"agentSocket\": \"" + node.socket() + "\"");
        LibCni.Outcome check = libcni.check(LibCni.cachedRuntimeConf(a.cacheFile(), a.netns()), LibCni.cachedResult(a.cacheFile()));
        assertThat(check.exit()).as(check.toString()).isZero();
        assertThat(check.stdout()).isBlank();

        // A --rm container: its DEL comes from podman's cleanup process (started by conmon, bare environment).
        Cmd.Result c = node.podman("run", "--rm", "--name", "tw-c", "--hostname", "tw-c", "--network", StandaloneNode.NETWORK,
                "--rootfs", node.rootfs().toString(), "/bin/sh", "-c",
                "ip -4 -o addr show eth0; ping -c 2 -W 2 " + a.ip() + " && echo hello-from-c | nc -w 3 " + a.ip() + " 8080");
        assertThat(c.exit()).as(c.toString()).isZero();
        assertThat(c.stdout()).contains("/32").contains("2 packets received").contains("tw-a got: hello-from-c");
        eventually(Duration.ofSeconds(60), () -> {
            assertThat(node.stateFiles("endpoints")).hasSize(2);
            assertThat(node.stateFiles("ipam")).containsExactlyInAnyOrder(a.ip(), b.ip());
            assertThat(node.lxcDevices()).hasSize(2);
            assertThat(node.endpointMapIps()).containsExactlyInAnyOrder(a.ip(), b.ip());
        });

        // podman rm: DEL from the podman process itself; a goes completely, b is untouched.
        List<String> lxcBefore = node.lxcDevices();
        node.podman("rm", "-f", "-t", "0", "tw-a").check();
        assertThat(node.stateFiles("endpoints")).containsExactly(b.id() + "_eth0.json");
        assertThat(node.stateFiles("ipam")).containsExactly(b.ip());
        assertThat(node.lxcDevices()).hasSize(1).isSubsetOf(Set.copyOf(lxcBefore));
        assertThat(node.endpointMapIps()).containsExactly(b.ip());
        assertThat(a.cacheFile()).doesNotExist();
        assertThat(a.netns()).doesNotExist();
        assertThat(node.nodeExec("ping", "-c", "1", "-W", "2", b.ip()).exit()).as("node -> tw-b after tw-a went").isZero();

        node.podman("rm", "-f", "-t", "0", "tw-b").check();
        assertThat(node.stateFiles("endpoints")).isEmpty();
        assertThat(node.stateFiles("ipam")).isEmpty();
        assertThat(node.lxcDevices()).isEmpty();
        assertThat(node.endpointMapIps()).isEmpty();
        assertThat(b.cacheFile()).doesNotExist();
        assertThat(node.podman("ps", "-a", "-q").check().stdout()).isBlank();
        assertThat(node.agentAlive()).as("agent still running; log tail:\n" + node.agentLogTail(20)).isTrue();
    }
}
