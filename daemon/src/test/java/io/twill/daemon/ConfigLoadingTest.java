package io.twill.daemon;

import io.twill.daemon.ConfigLoading.Flag;
import io.twill.daemon.ConfigLoading.Kind;
import io.twill.types.Ipv4Prefix;
import io.twill.types.RoutingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plumbing both loaders share, on a small config of its own. */
class ConfigLoadingTest {
    /** A test process's own exception type, as the agent's ConfigException and the operator's are. */
    static final class Bad extends RuntimeException {
        Bad(String m, Throwable c) {
            super(m, c);
        }
    }

    record Net(Ipv4Prefix pool, RoutingMode mode, Integer port) {
        Net {
            if (port != null && port < 1) throw new Bad("net.port must be positive, got " + port, null);
        }
    }

    record Conf(String name, Net net, Boolean enabled, Duration every, List<Ipv4Prefix> cidrs) {
    }

    static final List<Flag> FLAGS = List.of(
            new Flag("name", "name", Kind.TEXT, "a name"),
            new Flag("pool", "net.pool", Kind.TEXT, "a prefix"),
            new Flag("mode", "net.mode", Kind.TEXT, "overlay or native"),
            new Flag("port", "net.port", Kind.INT, "a port"),
            new Flag("disable", "enabled", Kind.NEGATED_BOOL, "turn it off"),
            new Flag("every", "every", Kind.TEXT, "a duration"),
            new Flag("cidr", "cidrs", Kind.LIST, "repeatable"));

    @TempDir
    Path dir;

    static ConfigLoading loading(ConfigLoading.UnknownVariables unknown) {
        return new ConfigLoading("twill-test", "TWILL_TEST_", FLAGS, unknown, Bad::new);
    }

    static Conf load(List<String> args, Map<String, String> env) {
        ConfigLoading l = loading(ConfigLoading.UnknownVariables.FAIL);
        ConfigLoading.Sources s = l.merge(args, env);
        return l.bind(s.tree(), Conf.class, s.file());
    }

    @Test
    void fileThenEnvironmentThenFlagsWithTheSharedValueTypes() throws Exception {
        Path f = Files.writeString(dir.resolve("c.yaml"), "name: file\nnet: {pool: 10.0.0.0/8, mode: native, port: 1}\nevery: 2m\n");
        Conf c = load(List.of("--config", f.toString(), "--port=3", "--cidr", "10.1.0.0/24", "--cidr=10.2.0.0/24,10.3.0.0/24"),
                Map.of("TWILL_TEST_NAME", "env", "TWILL_TEST_PORT", "2"));
        assertThat(c.name()).isEqualTo("env");
        assertThat(c.net().pool()).isEqualTo(Ipv4Prefix.parse("10.0.0.0/8"));
        assertThat(c.net().mode()).isEqualTo(RoutingMode.NATIVE);
        assertThat(c.net().port()).isEqualTo(3);
        assertThat(c.every()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.cidrs()).extracting(Ipv4Prefix::toString).containsExactly("10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24");
        Path j = Files.writeString(dir.resolve("c.json"), "{\"name\": \"json\"}");
        assertThat(load(List.of(), Map.of("TWILL_TEST_CONFIG", j.toString())).name()).isEqualTo("json");
    }

    @Test
    void booleanFlagsAreBareOrTakeABooleanAfterThem() {
        assertThat(load(List.of("--disable"), Map.of()).enabled()).isFalse();
        assertThat(load(List.of("--disable", "false"), Map.of()).enabled()).isTrue();
        assertThat(load(List.of("--disable=no", "--name", "x"), Map.of()).enabled()).isTrue();
        assertThat(load(List.of("--disable", "--name", "x"), Map.of()).name()).isEqualTo("x");
        assertThatThrownBy(() -> load(List.of("--disable=maybe"), Map.of())).isInstanceOf(Bad.class)
                .hasMessageContaining("--disable: 'maybe' is not true or false");
        assertThatThrownBy(() -> load(List.of("--disable", "maybe"), Map.of())).hasMessageContaining("unexpected argument 'maybe'");
    }

    @Test
    void everyMistakeNamesWhatIsWrongInTheProcesssOwnException() throws Exception {
        assertThatThrownBy(() -> load(List.of("--nmae", "x"), Map.of())).isInstanceOf(Bad.class).hasMessageContaining("unknown flag --nmae");
        assertThatThrownBy(() -> load(List.of("--name"), Map.of())).hasMessageContaining("--name needs a value");
        assertThatThrownBy(() -> load(List.of("--name", "--port", "1"), Map.of())).hasMessageContaining("--name needs a value");
        assertThatThrownBy(() -> load(List.of("stray"), Map.of())).hasMessageContaining("unexpected argument 'stray'");
        assertThatThrownBy(() -> load(List.of("--port", "x"), Map.of())).hasMessageContaining("--port: 'x' is not a number");
        assertThatThrownBy(() -> load(List.of("--pool", "10.0.0.1/8"), Map.of()))
                .hasMessageContaining("net.pool").hasMessageContaining("did you mean 10.0.0.0/8");
        assertThatThrownBy(() -> load(List.of("--mode", "bgp"), Map.of()))
                .hasMessageContaining("net.mode").hasMessageContaining("unknown routing mode 'bgp'");
        assertThatThrownBy(() -> load(List.of("--every", "soon"), Map.of()))
                .hasMessageContaining("every").hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> load(List.of("--port", "0"), Map.of())).hasMessageContaining("net.port must be positive, got 0");
        assertThatThrownBy(() -> load(List.of(), Map.of("TWILL_TEST_PROT", "1")))
                .hasMessageContaining("unknown environment variable TWILL_TEST_PROT").hasMessageContaining("TWILL_TEST_PORT");
        assertThatThrownBy(() -> load(List.of("--config", dir.resolve("nope.yaml").toString()), Map.of()))
                .hasMessageContaining("cannot read config file").hasMessageContaining("does not exist");
        Path f = Files.writeString(dir.resolve("bad.yaml"), "net: {port: [1, 2]}\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of())).hasMessageContaining("net.port")
                .hasMessageContaining("(in " + f + " or the flags/environment)");
        Files.writeString(f, "net: {prot: 1}\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of()))
                .hasMessageContaining("unknown config key 'net.prot'").hasMessageContaining("known keys here: mode, pool, port");
        Files.writeString(f, "net: {pool: [unclosed\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of()))
                .hasMessageContaining("is not valid YAML").hasMessageContaining("line");
        Files.writeString(f, "- a list\n");
        assertThatThrownBy(() -> load(List.of("--config", f.toString()), Map.of())).hasMessageContaining("mapping");
        assertThatThrownBy(() -> load(List.of("-h"), Map.of())).isInstanceOf(ConfigLoading.HelpRequested.class);
    }

    @Test
    void unknownVariablesAreOnlyLoggedWhenThePrefixIsShared() {
        ConfigLoading l = loading(ConfigLoading.UnknownVariables.WARN);
        assertThat(l.bind(l.merge(List.of(), Map.of("TWILL_TEST_OTHER", "1", "TWILL_TEST_NAME", "n")).tree(), Conf.class, null)
                .name()).isEqualTo("n");
    }

    @Test
    void theEffectiveConfigPrintsAndReadsBack() throws Exception {
        Conf c = load(List.of("--pool", "10.0.0.0/8", "--mode", "vxlan", "--every", "1500ms"), Map.of());
        ConfigLoading l = loading(ConfigLoading.UnknownVariables.FAIL);
        String text = l.mapper().writeValueAsString(c);
        assertThat(text).contains("\"pool\":\"10.0.0.0/8\"", "\"mode\":\"overlay\"", "\"every\":\"1500ms\"");
        assertThat(l.bind(l.mapper().readTree(text), Conf.class, null)).isEqualTo(c);
    }

    @Test
    void usageListsFlagsVariablesAndKeys() {
        assertThat(loading(ConfigLoading.UnknownVariables.FAIL).usage()).contains("Usage: twill-test", "--port VALUE",
                "TWILL_TEST_PORT", "key net.port", "--disable ", "TWILL_TEST_CONFIG");
    }

    @Test
    void durations() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("PT15S")).isEqualTo(Duration.ofSeconds(15));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ofNanos(5))).isEqualTo("PT0.000000005S");
        for (String bad : List.of("", "s", "15x", "1.5s", "soon")) {
            assertThatThrownBy(() -> Durations.parse(bad)).hasMessageContaining("'" + bad + "' is not a duration");
        }
    }
}
