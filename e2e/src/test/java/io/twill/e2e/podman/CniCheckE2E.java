package io.twill.e2e.podman;

import com.fasterxml.jackson.databind.JsonNode;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.security.SecureRandom;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CHECK, which no runtime on this machine sends (podman never does), driven the way libcni sends it: ADD, CHECK with
 * the cached result as prevResult (passes), damage behind the agent's back, CHECK again (fails with code 110 and a
 * message naming what is missing), DEL (frees everything even so), CHECK after DEL (fails). Real pieces throughout:
 * the twill-cni that {@code install-cni.sh} installed, the shipped conflist, the agent process of a standalone node
 * ({@code ci/podman/standalone-node}); only the runtime is replaced by {@link LibCni}.
 *
 * <p>The pod's own default route going missing is covered by {@code AgentPrivilegedIT}
 * (addThroughTheShimCreatesEverythingAndDelRemovesIt, in-process agent); here: the host-side lxc device, the
 * twill_endpoints entry and the host route.
 */
@PrivilegedTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniCheckE2E {
    /** Twill's CHECK failure code (AgentCniBackend.CHECK_FAILED; plugins own 100+). */
    static final int CHECK_FAILED = 110;
    private static final SecureRandom RANDOM = new SecureRandom();

    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    private StandaloneNode node;
    private LibCni libcni;

    @BeforeAll
    void up() {
        StandaloneNode.requireTools("nsenter", "bpftool");
        node = StandaloneNode.up();
        libcni = new LibCni(node.conflist(), List.of(node.cniBin(), Path.of("/usr/lib/cni")));
    }

    @AfterAll
    void down() {
        if (node != null) node.close();
    }

    /** One pod: its namespace, what the runtime knows, and the result libcni cached after ADD. */
    record Pod(TestNamespace ns, LibCni.RuntimeConf rt, JsonNode cached) {
        String ip() {
            String cidr = cached.at("/ips/0/address").asText();
            return cidr.substring(0, cidr.indexOf('/'));
        }

        String lxc() {
            return cached.at("/interfaces/0/name").asText();
        }
    }

    Pod add(String name) {
        TestNamespace ns = netns.create(name);
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String id = HexFormat.of().formatHex(raw); // 64 hex digits, like a podman container id
        LibCni.RuntimeConf rt = LibCni.RuntimeConf.podman(id, name, ns.path());
        LibCni.Outcome add = libcni.add(rt).check();
        return new Pod(ns, rt, add.json());
    }

    /** ADD, CHECK passes, {@code damage}, CHECK fails naming {@code missing}, DEL frees everything, CHECK fails. */
    void checkFindsDamage(String name, Consumer<Pod> damage, Function<Pod, String> missing) {
        Pod p = add(name);
        assertThat(p.lxc()).startsWith("lxc");
        assertThat(node.endpointMapIps()).contains(p.ip());
        LibCni.Outcome ok = libcni.check(p.rt(), p.cached());
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.stdout()).as("CHECK prints nothing on success").isBlank();

        damage.accept(p);
        LibCni.Outcome bad = libcni.check(p.rt(), p.cached());
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(1);
        JsonNode err = bad.json();
        assertThat(err.get("cniVersion").asText()).isEqualTo("1.0.0");
        assertThat(err.get("code").asInt()).as(bad.toString()).isEqualTo(CHECK_FAILED);
        assertThat(err.get("msg").asText()).contains("is not as ADD left it");
        assertThat(err.get("details").asText()).contains(missing.apply(p));

        // DEL still frees everything ADD made, damaged or not.
        libcni.del(p.rt(), p.cached()).check();
        assertThat(node.stateFiles("endpoints")).doesNotContain(p.rt().containerId() + "_eth0.json");
        assertThat(node.stateFiles("ipam")).doesNotContain(p.ip());
        assertThat(node.lxcDevices()).doesNotContain(p.lxc());
        assertThat(node.endpointMapIps()).doesNotContain(p.ip());
        assertThat(p.ns().exec("ip", "-o", "link").stdout()).doesNotContain("eth0");
        assertThat(node.nodeExec("ip", "route", "show", p.ip()).check().stdout()).isBlank();

        // After DEL there is nothing to check: CHECK fails (a stale cache must not pass).
        LibCni.Outcome gone = libcni.check(p.rt(), p.cached());
        assertThat(gone.exit()).as(gone.toString()).isEqualTo(1);
        assertThat(gone.json().get("msg").asText()).contains("has no attachment");
    }

    @Test
    void checkNamesAMissingHostDevice() {
        checkFindsDamage("chk-lxc", p -> node.nodeExec("ip", "link", "del", p.lxc()).check(),
                p -> "host device " + p.lxc() + " is missing");
    }

    @Test
    void checkNamesAMissingEndpointMapEntry() {
        checkFindsDamage("chk-map", p -> node.deleteEndpointEntry(p.ip()), p -> "twill_endpoints has no entry for " + p.ip());
    }

    @Test
    void checkNamesAMissingHostRoute() {
        checkFindsDamage("chk-rt", p -> node.nodeExec("ip", "route", "del", p.ip() + "/32").check(),
                p -> "host route " + p.ip() + "/32 dev " + p.lxc() + " is missing");
    }
}
