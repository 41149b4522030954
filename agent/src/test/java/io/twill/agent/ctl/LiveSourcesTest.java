package io.twill.agent.ctl;

import io.twill.agent.metrics.EndpointView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LiveSourcesTest {
    @TempDir
    Path dir;

    @Test
    void privilegesFromProcStatus() throws Exception {
        Path root = Files.writeString(dir.resolve("root"), "Name:\tjava\nUid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n");
        Path user = Files.writeString(dir.resolve("user"), "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n");
        Path caps = Files.writeString(dir.resolve("caps"), "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000008000200000\n");
        Path bpfOnly = Files.writeString(dir.resolve("bpf"), "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000008000000000\n");
        assertThat(LiveSources.privilegeProblem(root)).isEmpty();
        assertThat(LiveSources.privilegeProblem(caps)).isEmpty();
        assertThat(LiveSources.privilegeProblem(user)).get().asString().contains("must run as root");
        assertThat(LiveSources.privilegeProblem(bpfOnly)).isPresent();
        assertThat(LiveSources.privilegeProblem(dir.resolve("missing"))).get().asString().contains("cannot tell");
    }

    @Test
    void readsTheAgentsEndpointStateFilesWithoutChangingThem() throws Exception {
        Path eps = Files.createDirectories(dir.resolve("endpoints"));
        // the agent's on-disk format (FileEndpointStore, format 1), with fields twillctl does not show
        Files.writeString(eps.resolve("abc_eth0.json"), """
                {"format":1,"containerId":"abc","ifname":"eth0","network":"twill","netns":"/var/run/netns/p",
                 "podNamespace":"default","podName":"web","id":3,"ip":"10.0.3.5","gateway":"10.0.3.1",
                 "hostIfname":"lxc123","hostIfindex":21,"hostMac":"02:00:00:00:00:03","podIfindex":2,
                 "podMac":"0a:00:00:00:00:03","mtu":1500,"routeMtu":1450,"created":"2026-11-22T08:00:00Z"}
                """);
        Files.writeString(eps.resolve("bad_eth0.json"), "{\"format\":1,");
        Files.writeString(eps.resolve(".abc_eth0.json.tmp"), "partial");
        List<String> warnings = new ArrayList<>();
        List<EndpointView> got = new LiveSources().stateEndpoints(dir, warnings::add);
        assertThat(got).containsExactly(new EndpointView(3, "abc", "eth0", "default", "web", "10.0.3.5", "lxc123", 21,
                "02:00:00:00:00:03", "0a:00:00:00:00:03", "/var/run/netns/p", "2026-11-22T08:00:00Z"));
        assertThat(warnings).singleElement().asString().contains("bad_eth0.json");
        assertThat(eps.resolve("bad_eth0.json")).exists();
        assertThat(eps.resolve(".abc_eth0.json.tmp")).exists();
    }

    @Test
    void aMissingStateDirectorySaysWhatToCheck() {
        assertThatThrownBy(() -> new LiveSources().stateEndpoints(dir.resolve("nope"), w -> { }))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("--state-dir");
    }
}
