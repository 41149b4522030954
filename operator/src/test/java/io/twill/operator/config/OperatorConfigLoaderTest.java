package io.twill.operator.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OperatorConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaultsMatchCiliumClusterPool() {
        OperatorConfig c = OperatorConfigLoader.load(List.of(), Map.of());
        assertThat(c.clusterPoolIPv4PodCIDRList()).containsExactly("10.0.0.0/8");
        assertThat(c.clusterPoolIPv4MaskSize()).isEqualTo(24);
        assertThat(c.metrics().port()).isEqualTo(9963);
        assertThat(c.leaderElection().enabled()).isTrue();
        assertThat(c.leaderElection().leaseName()).isEqualTo("twill-operator");
        assertThat(c.leaderElection().identity()).isNotBlank();
        assertThat(c.nodeGC().interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.installCRDs()).isTrue();
    }

    @Test
    void fileThenEnvironmentThenFlags() throws IOException {
        Path f = dir.resolve("op.yaml");
        Files.writeString(f, """
                clusterPoolIPv4PodCIDRList: [10.244.0.0/16, 10.245.0.0/16]
                clusterPoolIPv4MaskSize: 26
                leaderElection:
                  leaseName: from-file
                  leaseNamespace: twill-system
                  leaseDuration: 20s
                metrics:
                  port: 1111
                nodeGC:
                  interval: PT45S
                """);
        OperatorConfig c = OperatorConfigLoader.load(
                List.of("--config", f.toString(), "--metrics-port=0", "--leader-election-renew-deadline", "12500ms",
                        "--node-gc=false"),
                Map.of("TWILL_OPERATOR_METRICS_PORT", "2222", "TWILL_OPERATOR_LEADER_ELECTION_LEASE_NAME", "from-env",
                        "PATH", "/bin"));
        assertThat(c.clusterPoolIPv4PodCIDRList()).containsExactly("10.244.0.0/16", "10.245.0.0/16");
        assertThat(c.pools()).hasSize(2);
        assertThat(c.clusterPoolIPv4MaskSize()).isEqualTo(26);
        assertThat(c.leaderElection().leaseName()).isEqualTo("from-env");
        assertThat(c.leaderElection().leaseNamespace()).isEqualTo("twill-system");
        assertThat(c.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.leaderElection().renewDeadline()).isEqualTo(Duration.ofMillis(12500));
        assertThat(c.metrics().port()).isZero();
        assertThat(c.nodeGC().enabled()).isFalse();
        assertThat(c.nodeGC().interval()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void configFileFromEnvironmentAndJson() throws IOException {
        Path f = dir.resolve("op.json");
        Files.writeString(f, "{\"clusterPoolIPv4PodCIDRList\":[\"192.168.0.0/16\"],\"writeConcurrency\":4}");
        OperatorConfig c = OperatorConfigLoader.load(List.of("--cluster-pool-ipv4-mask-size", "20"),
                Map.of("TWILL_OPERATOR_CONFIG", f.toString()));
        assertThat(c.clusterPoolIPv4PodCIDRList()).containsExactly("192.168.0.0/16");
        assertThat(c.clusterPoolIPv4MaskSize()).isEqualTo(20);
        assertThat(c.writeConcurrency()).isEqualTo(4);
    }

    @Test
    void unknownKeysFlagsAndVariablesFail() {
        assertThatThrownBy(() -> OperatorConfigLoader.parse("leaderElection:\n  leaseNmae: x\n"))
                .isInstanceOf(OperatorConfigException.class)
                .hasMessageContaining("unknown config key 'leaderElection.leaseNmae'").hasMessageContaining("leaseName");
        assertThatThrownBy(() -> OperatorConfigLoader.parse("clusterPoolCIDR: 10.0.0.0/8"))
                .hasMessageContaining("unknown config key 'clusterPoolCIDR'");
        assertThatThrownBy(() -> OperatorConfigLoader.load(List.of("--metrics-prot=1"), Map.of()))
                .hasMessageContaining("unknown flag --metrics-prot");
        assertThatThrownBy(() -> OperatorConfigLoader.load(List.of(), Map.of("TWILL_OPERATOR_MASK", "24")))
                .hasMessageContaining("unknown environment variable TWILL_OPERATOR_MASK");
        assertThatThrownBy(() -> OperatorConfigLoader.load(List.of("stray"), Map.of()))
                .hasMessageContaining("unexpected argument 'stray'");
        assertThatThrownBy(() -> OperatorConfigLoader.load(List.of("--metrics-port"), Map.of()))
                .hasMessageContaining("--metrics-port needs a value");
    }

    @Test
    void invalidValuesNameTheKey() {
        assertThatThrownBy(() -> OperatorConfigLoader.parse("clusterPoolIPv4PodCIDRList: [10.0.0.0/8, 10.1.0.0/16]"))
                .hasMessageContaining("10.1.0.0/16 overlaps 10.0.0.0/8");
        assertThatThrownBy(() -> OperatorConfigLoader.parse("clusterPoolIPv4PodCIDRList: [10.0.0.0/8, 10.300.0.0/16]"))
                .hasMessageContaining("clusterPoolIPv4PodCIDRList[1]").hasMessageContaining("10.300.0.0/16");
        assertThatThrownBy(() -> OperatorConfigLoader.parse("clusterPoolIPv4PodCIDRList: [10.0.0.0/16]\n"
                + "clusterPoolIPv4MaskSize: 12")).hasMessageContaining("clusterPoolIPv4MaskSize /12");
        assertThatThrownBy(() -> OperatorConfigLoader.parse("clusterPoolIPv4PodCIDRList: []"))
                .hasMessageContaining("clusterPoolIPv4PodCIDRList is empty");
        assertThatThrownBy(() -> OperatorConfigLoader.parse("clusterPoolIPv4MaskSize: twenty"))
                .hasMessageContaining("clusterPoolIPv4MaskSize");
        assertThatThrownBy(() -> OperatorConfigLoader.parse("metrics: {port: 70000}"))
                .hasMessageContaining("metrics.port: 70000");
        assertThatThrownBy(() -> OperatorConfigLoader.parse("nodeGC: {interval: soon}"))
                .hasMessageContaining("nodeGC.interval").hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> OperatorConfigLoader.parse("leaderElection: {leaseDuration: 5s, renewDeadline: 10s}"))
                .hasMessageContaining("leaderElection.renewDeadline").hasMessageContaining("leaseDuration");
        assertThatThrownBy(() -> OperatorConfigLoader.parse("leaderElection: {leaseNamespace: Kube_System}"))
                .hasMessageContaining("leaderElection.leaseNamespace");
        assertThatThrownBy(() -> OperatorConfigLoader.load(List.of("--node-gc=maybe"), Map.of()))
                .hasMessageContaining("'maybe' is not true or false");
        assertThatThrownBy(() -> OperatorConfigLoader.load(List.of("--config", dir.resolve("nope.yaml").toString()),
                Map.of())).hasMessageContaining("cannot read config file");
    }

    @Test
    void usageListsEveryFlagWithItsVariable() {
        assertThat(OperatorConfigLoader.usage()).contains("--cluster-pool-ipv4-cidr", "TWILL_OPERATOR_CLUSTER_POOL_IPV4_CIDR",
                "--leader-election-namespace", "TWILL_OPERATOR_METRICS_PORT");
    }
}
