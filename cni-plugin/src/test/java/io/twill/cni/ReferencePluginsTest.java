package io.twill.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twill.cni.result.CniResult;
import io.twill.cni.result.ResultCodec;
import io.twill.cni.server.Shim;
import io.twill.testkit.Requires;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Twill's ADD result, chained after loopback, fed as prevResult to the reference portmap and bandwidth plugins
 * (containernetworking-plugins, Go libcni) in every version they share with us: they must parse it, convert it and
 * pass it through unchanged. (ReferencePluginsPrivilegedIT makes them act on it for real.)
 */
class ReferencePluginsTest {
    static final Path PLUGINS = Path.of(System.getProperty("twill.cni.referencePlugins", "/usr/lib/cni"));

    static Stream<Arguments> cases() {
        return Stream.of("portmap", "bandwidth").flatMap(p -> Stream.of("0.3.0", "0.3.1", "0.4.0", "1.0.0")
                .map(v -> Arguments.of(p, v)));
    }

    /** Twill's output for an ADD chained after loopback, in {@code version}. */
    static String twillResult(String version, String netns) {
        return twillResult(version, netns, "c1");
    }

    /** The same for container {@code containerId} (RecordingBackend names the host veth "lxc" + its id). */
    static String twillResult(String version, String netns, String containerId) {
        CniVersion v = CniVersion.parse(version).orElseThrow();
        CniResult loopback = new CniResult(List.of(io.twill.cni.result.CniInterface.sandbox("lo", "00:00:00:00:00:00", netns)),
                List.of(io.twill.cni.result.IpConfig.of(io.twill.cni.result.IpPrefix.parse("127.0.0.1/8"), null, 0)), List.of(), null);
        String conf = Inv.conf(version, ",\"prevResult\":" + ResultCodec.toJson(loopback, v));
        CniResponse r = new CniEngine(new RecordingBackend()).handle(Inv.valid("ADD", version).env("CNI_NETNS", netns)
                .env("CNI_CONTAINERID", containerId).stdin(conf).build());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r.stdoutText();
    }

    static Map<String, String> env(String command, String netns) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "c1");
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", PLUGINS.toString());
        return env;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void referencePluginPassesTwillsResultThrough(String plugin, String version) throws Exception {
        Path exe = PLUGINS.resolve(plugin);
        Requires.file(exe, "the reference CNI plugins (Debian: containernetworking-plugins)");
        String supported = Shim.exec(List.of(exe.toString()), Map.of("CNI_COMMAND", "VERSION"),
                ("{\"cniVersion\":\"" + version + "\"}").getBytes()).stdout();
        Requires.that(supported.contains("\"" + version + "\""), "the installed " + plugin + " does not speak CNI " + version);

        String ours = twillResult(version, Inv.NETNS);
        ObjectNode conf = (ObjectNode) NetConfParser.MAPPER.readTree(Inv.conf(version, ""));
        conf.put("type", plugin);
        conf.set("prevResult", NetConfParser.MAPPER.readTree(ours));
        Shim.Result r = Shim.exec(List.of(exe.toString()), env("ADD", Inv.NETNS), conf.toString().getBytes(StandardCharsets.UTF_8));

        assertThat(r.exit()).as("%s said %s", plugin, r).isZero();
        JsonNode theirs = NetConfParser.MAPPER.readTree(r.stdout());
        assertThat(theirs.path("cniVersion").asText()).isEqualTo(version);
        CniVersion v = CniVersion.parse(version).orElseThrow();
        assertThat(ResultCodec.fromJson(theirs, v, "output")).isEqualTo(ResultCodec.fromJson(NetConfParser.MAPPER.readTree(ours), v, "ours"));
    }
}
