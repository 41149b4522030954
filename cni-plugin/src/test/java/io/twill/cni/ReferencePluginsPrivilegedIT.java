package io.twill.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twill.cni.server.Shim;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.Requires;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * portmap and bandwidth chained after Twill act on Twill's result for real: a veth pair between a "host" namespace
 * and a "pod" namespace (both made by the test), Twill's result (after loopback) as their prevResult, the plugins
 * run inside the host namespace. portmap must pick the pod's eth0 address (not lo's, so the interface indexes
 * must be right); bandwidth must find the host-side veth by name.
 */
@PrivilegedTest
class ReferencePluginsPrivilegedIT {
    @RegisterExtension
    final NetNsExtension netns = new NetNsExtension();
    private TestNamespace host;
    private TestNamespace pod;

    @BeforeEach
    void veth() {
        host = netns.create("h");
        pod = netns.create("p");
        // RecordingBackend names the host side "lxc" + the container id
        host.exec("ip", "link", "add", "lxctw0", "type", "veth", "peer", "name", "eth0", "netns", pod.name());
        host.exec("ip", "link", "set", "lxctw0", "up");
        pod.exec("ip", "link", "set", "eth0", "up");
        pod.exec("ip", "addr", "add", "10.0.1.5/24", "dev", "eth0");
    }

    private Shim.Result runInHost(String plugin, String command, String version, String extra) throws Exception {
        Path exe = ReferencePluginsTest.PLUGINS.resolve(plugin);
        Requires.file(exe, "the reference CNI plugins (Debian: containernetworking-plugins)");
        String ours = ReferencePluginsTest.twillResult(version, pod.path().toString(), "tw0");
        ObjectNode conf = (ObjectNode) NetConfParser.MAPPER.readTree(Inv.conf(version, extra));
        conf.put("type", plugin);
        conf.set("prevResult", NetConfParser.MAPPER.readTree(ours));
        var env = ReferencePluginsTest.env(command, pod.path().toString());
        env.put("CNI_CONTAINERID", "tw0");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.name(), exe.toString()));
        return Shim.exec(cmd, env, conf.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void portmapForwardsToThePodAddressFromTwillsResult() throws Exception {
        Requires.file(Path.of("/usr/sbin/iptables"), "portmap needs iptables");
        String extra = ",\"capabilities\":{\"portMappings\":true},\"runtimeConfig\":{\"portMappings\":"
                + "[{\"hostPort\":18080,\"containerPort\":80,\"protocol\":\"tcp\"}]}";
        for (String version : List.of("0.4.0", "1.0.0")) {
            Shim.Result add = runInHost("portmap", "ADD", version, extra);
            assertThat(add.exit()).as("portmap ADD %s: %s", version, add).isZero();
            String nat = host.exec("iptables", "-t", "nat", "-S").stdout();
            assertThat(nat).as("nat table after portmap ADD %s", version).contains("--to-destination 10.0.1.5:80").doesNotContain("127.0.0.1:80");

            Shim.Result del = runInHost("portmap", "DEL", version, extra);
            assertThat(del.exit()).as("portmap DEL: %s", del).isZero();
            assertThat(host.exec("iptables", "-t", "nat", "-S").stdout()).doesNotContain("10.0.1.5:80");
        }
    }

    @Test
    void bandwidthShapesTheHostSideVethNamedInTwillsResult() throws Exception {
        String extra = ",\"capabilities\":{\"bandwidth\":true},\"runtimeConfig\":{\"bandwidth\":{\"ingressRate\":8000000,"
                + "\"ingressBurst\":800000,\"egressRate\":16000000,\"egressBurst\":800000}}";
        Shim.Result add = runInHost("bandwidth", "ADD", "1.0.0", extra);
        assertThat(add.exit()).as("bandwidth ADD: %s", add).isZero();
        assertThat(host.exec("tc", "qdisc", "show", "dev", "lxctw0").stdout()).contains("tbf");
        assertThat(host.exec("ip", "-o", "link", "show", "type", "ifb").stdout()).contains("bwp");

        Shim.Result del = runInHost("bandwidth", "DEL", "1.0.0", extra);
        assertThat(del.exit()).as("bandwidth DEL: %s", del).isZero();
        assertThat(host.exec("ip", "-o", "link", "show", "type", "ifb").stdout()).doesNotContain("bwp");
    }
}
