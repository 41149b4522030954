package io.twill.agent.config;

import io.twill.types.RoutingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();
    @TempDir Path dir;

    private AgentConfig load(List<String> args, Map<String, String> env) {
        return loader.load(args, env, "Host-A");
    }

    @Test
    void tcxCanBeTurnedOffByFlagEnvironmentOrFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertThat(load(List.of("--enable-tcx=false"), Map.of()).network().enableTCX()).isFalse();
        assertThat(load(List.of(), Map.of("TWILL_ENABLE_TCX", "false")).network().enableTCX()).isFalse();
        assertThat(load(List.of("--enable-tcx"), Map.of("TWILL_ENABLE_TCX", "false")).network().enableTCX()).isTrue();
        java.nio.file.Path f = java.nio.file.Files.writeString(dir.resolve("c.yaml"), "network: {enableTCX: false}\n");
        assertThat(load(List.of("--config", f.toString()), Map.of()).network().enableTCX()).isFalse();
        assertThatThrownBy(() -> load(List.of("--enable-tcx=maybe"), Map.of())).hasMessageContaining("enable-tcx");
    }

    @Test
    void defaultsWithNoInput() {
        AgentConfig c = load(List.of(), Map.of());
        assertThat(c.nodeName()).isEqualTo("host-a");
        assertThat(c.kubernetes().enabled()).isTrue();
        assertThat(c.kubernetes().kubeconfig()).isNull();
        assertThat(c.paths().pinRoot()).isEqualTo(Path.of("/sys/fs/bpf/twill"));
        assertThat(c.paths().stateDir()).isEqualTo(Path.of("/var/run/twill"));
        assertThat(c.paths().socket()).isEqualTo(Path.of("/var/run/twill/twill.sock"));
        assertThat(c.paths().endpointsDir()).isEqualTo(Path.of("/var/run/twill/endpoints"));
        assertThat(c.network().uplink()).isEqualTo("eth0");
        assertThat(c.network().routingMode()).isEqualTo(RoutingMode.OVERLAY);
        assertThat(c.network().enableTCX()).isTrue();
        assertThat(c.network().tunnelPort()).isEqualTo(8472);
        assertThat(c.network().clusterPoolCIDR()).hasToString("10.0.0.0/8");
        assertThat(c.network().mtu()).isZero();
        assertThat(c.network().routeMtu(1500)).isEqualTo(1450);
        assertThat(c.network().nodeAddress()).isEmpty();
        assertThat(c.metrics().address()).isEqualTo(":9962");
        assertThat(c.metrics().port()).isEqualTo(9962);
        assertThat(c.metrics().host()).isEmpty();
        assertThat(c.standaloneMode()).isFalse();
    }

    @Test
    void yamlFileThenEnvironmentThenFlags() throws IOException {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, """
                nodeName: from-file
                paths:
                  stateDir: /run/tw/a
                network:
                  routingMode: native
                  tunnelPort: 4789
                  mtu: 9000
                metrics:
                  address: 127.0.0.1:0
                """);
        AgentConfig fileOnly = load(List.of("--config", f.toString()), Map.of());
        assertThat(fileOnly.nodeName()).isEqualTo("from-file");
        assertThat(fileOnly.paths().socket()).isEqualTo(Path.of("/run/tw/a/twill.sock"));
        assertThat(fileOnly.network().routingMode()).isEqualTo(RoutingMode.NATIVE);
        assertThat(fileOnly.network().routeMtu(9000)).isEqualTo(9000);
        assertThat(fileOnly.metrics().port()).isZero();
        assertThat(fileOnly.metrics().host()).isEqualTo("127.0.0.1");

        Map<String, String> env = Map.of("TWILL_CONFIG", f.toString(), "TWILL_NODE_NAME", "from-env",
                "TWILL_TUNNEL_PORT", "6081", "TWILL_SOMETHING_ELSE", "ignored", "PATH", "/bin");
        AgentConfig withEnv = load(List.of(), env);
        assertThat(withEnv.nodeName()).isEqualTo("from-env");
        assertThat(withEnv.network().tunnelPort()).isEqualTo(6081);
        assertThat(withEnv.network().mtu()).isEqualTo(9000);

        AgentConfig withFlags = load(List.of("--node-name=from-flag", "--tunnel-port", "5555", "--routing-mode", "overlay"), env);
        assertThat(withFlags.nodeName()).isEqualTo("from-flag");
        assertThat(withFlags.network().tunnelPort()).isEqualTo(5555);
        assertThat(withFlags.network().routingMode()).isEqualTo(RoutingMode.OVERLAY);
        assertThat(withFlags.paths().stateDir()).isEqualTo(Path.of("/run/tw/a"));
    }

    @Test
    void jsonFile() throws IOException {
        Path f = dir.resolve("agent.json");
        Files.writeString(f, """
                {"nodeName": "j", "kubernetes": {"enabled": false},
                 "standalone": {"podCIDRs": ["10.1.2.0/24", "10.1.3.0/25"], "peersFile": "/etc/twill/peers"}}""");
        AgentConfig c = load(List.of("--config", f.toString()), Map.of());
        assertThat(c.standaloneMode()).isTrue();
        assertThat(c.standalone().podCIDRs()).extracting(Object::toString).containsExactly("10.1.2.0/24", "10.1.3.0/25");
        assertThat(c.standalone().peersFile()).isEqualTo(Path.of("/etc/twill/peers"));
    }

    @Test
    void standaloneFlagsWithRepeatedAndCommaSeparatedPodCidrs() {
        AgentConfig c = load(List.of("--standalone", "--pod-cidr", "10.9.0.0/24,10.9.1.0/24", "--pod-cidr=10.9.2.0/24",
                "--peers-file", "/tmp/peers", "--cluster-cidr", "10.9.0.0/16", "--node-ip", "192.168.1.5"), Map.of());
        assertThat(c.standalone().podCIDRs()).hasSize(3);
        assertThat(c.network().nodeAddress()).get().hasToString("/192.168.1.5");
    }

    @Test
    void unknownFileKeyIsNamed() throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "network:\n  tunelPort: 1\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key 'network.tunelPort'")
                .hasMessageContaining("tunnelPort");
        Files.writeString(f, "nodename: x\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of()))
                .hasMessageContaining("unknown config key 'nodename'");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> load(List.of("--tunnel-port", "0"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("network.tunnelPort must be 1..65535, got 0");
        assertThatThrownBy(() -> load(List.of("--tunnel-port", "x"), Map.of()))
                .hasMessageContaining("--tunnel-port: 'x' is not a number");
        assertThatThrownBy(() -> load(List.of("--routing-mode", "bgp"), Map.of()))
                .hasMessageContaining("network.routingMode").hasMessageContaining("unknown routing mode 'bgp'");
        assertThatThrownBy(() -> load(List.of("--cluster-cidr", "10.0.0.1/8"), Map.of()))
                .hasMessageContaining("network.clusterPoolCIDR").hasMessageContaining("did you mean 10.0.0.0/8");
        assertThatThrownBy(() -> load(List.of("--uplink", "a-very-long-device-name"), Map.of()))
                .hasMessageContaining("network.uplink").hasMessageContaining("15 bytes");
        assertThatThrownBy(() -> load(List.of("--state-dir", "relative/dir"), Map.of()))
                .hasMessageContaining("paths.stateDir must be an absolute path");
        assertThatThrownBy(() -> load(List.of("--socket", "/" + "x".repeat(120)), Map.of()))
                .hasMessageContaining("paths.socket").hasMessageContaining("107 bytes");
        assertThatThrownBy(() -> load(List.of("--mtu", "100"), Map.of()))
                .hasMessageContaining("network.mtu");
        assertThatThrownBy(() -> load(List.of("--node-ip", "10.0.0.300"), Map.of()))
                .hasMessageContaining("network.nodeIP");
        assertThatThrownBy(() -> load(List.of("--metrics-address", "9962"), Map.of()))
                .hasMessageContaining("metrics.address");
        assertThatThrownBy(() -> load(List.of("--node-name", "Not_Valid"), Map.of()))
                .hasMessageContaining("nodeName 'Not_Valid'");
        assertThatThrownBy(() -> load(List.of(), Map.of("TWILL_STANDALONE", "maybe")))
                .hasMessageContaining("TWILL_STANDALONE: 'maybe' is not true or false");
    }

    @Test
    void wrongTypeInFileIsNamed() throws IOException {
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, "network:\n  tunnelPort: [1, 2]\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("network.tunnelPort");
        Files.writeString(f, "standalone:\n  podCIDRs: [\"10.0.0.0/33\"]\nkubernetes: {enabled: false}\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of()))
                .hasMessageContaining("standalone.podCIDRs").hasMessageContaining("prefix length");
        Files.writeString(f, "network: 5\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of()))
                .hasMessageContaining("network");
        Files.writeString(f, "network: {uplink: [unclosed\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of()))
                .hasMessageContaining("is not valid YAML").hasMessageContaining("line");
    }

    @Test
    void unknownFlagsAndMissingValuesFail() {
        assertThatThrownBy(() -> load(List.of("--pod-cird", "10.0.0.0/24"), Map.of()))
                .hasMessageContaining("unknown flag --pod-cird");
        assertThatThrownBy(() -> load(List.of("--node-name"), Map.of()))
                .hasMessageContaining("--node-name needs a value");
        assertThatThrownBy(() -> load(List.of("stray"), Map.of()))
                .hasMessageContaining("unexpected argument 'stray'");
        assertThatThrownBy(() -> load(List.of("--config", dir.resolve("missing.yaml").toString()), Map.of()))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> load(List.of("--help"), Map.of())).isInstanceOf(io.twill.daemon.ConfigLoading.HelpRequested.class);
        assertThat(ConfigLoader.usage()).contains("--pod-cidr VALUE").contains("TWILL_POD_CIDR").contains("--standalone ");
    }

    @Test
    void standaloneRules() {
        assertThatThrownBy(() -> load(List.of("--standalone"), Map.of()))
                .hasMessageContaining("standalone.podCIDRs (--pod-cidr) is required");
        assertThatThrownBy(() -> load(List.of("--pod-cidr", "10.1.0.0/24"), Map.of()))
                .hasMessageContaining("only for standalone mode");
        assertThatThrownBy(() -> load(List.of("--standalone", "--pod-cidr", "192.168.0.0/24"), Map.of()))
                .hasMessageContaining("outside network.clusterPoolCIDR 10.0.0.0/8");
        assertThatThrownBy(() -> load(List.of("--standalone", "--pod-cidr", "10.1.0.0/24,10.1.0.128/25"), Map.of()))
                .hasMessageContaining("overlaps");
        assertThatThrownBy(() -> load(List.of("--standalone", "--pod-cidr", "10.1.0.0/24", "--kubeconfig", "/k"), Map.of()))
                .hasMessageContaining("kubernetes.kubeconfig is set but kubernetes.enabled=false");
    }

    @Test
    void effectiveConfigRoundTrips() throws Exception {
        AgentConfig c = load(List.of("--standalone", "--pod-cidr", "10.1.0.0/24", "--routing-mode", "native"), Map.of());
        String text = loader.mapper().writeValueAsString(c);
        AgentConfig back = loader.bind(loader.mapper().readTree(text), null);
        assertThat(back).isEqualTo(c);
    }
}
