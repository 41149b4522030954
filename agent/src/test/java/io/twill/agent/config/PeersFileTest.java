package io.twill.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeersFileTest {
    @TempDir Path dir;

    List<PeersFile.Peer> read(String text) throws Exception {
        Path f = dir.resolve("peers");
        Files.writeString(f, text);
        return PeersFile.read(f);
    }

    @Test
    void linesWithCommentsAndSeveralCidrs() throws Exception {
        List<PeersFile.Peer> p = read("""
                # the other machines
                192.168.1.2 10.1.2.0/24   # b
                192.168.1.3\t10.1.3.0/24 10.1.4.0/24

                """);
        assertThat(p).hasSize(2);
        assertThat(p.get(1).nodeIp().getHostAddress()).isEqualTo("192.168.1.3");
        assertThat(p.get(1).podCidrs()).extracting(Object::toString).containsExactly("10.1.3.0/24", "10.1.4.0/24");
    }

    @Test
    void json() throws Exception {
        List<PeersFile.Peer> p = read("""
                [{"nodeIP": "192.168.1.2", "podCIDRs": ["10.1.2.0/24"]}]""");
        assertThat(p).singleElement().satisfies(x -> assertThat(x.podCidrs()).hasSize(1));
    }

    @Test
    void errorsNameTheLineOrEntry() {
        assertThatThrownBy(() -> read("192.168.1.2\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 1").hasMessageContaining("expected '<node IP> <pod CIDR>");
        assertThatThrownBy(() -> read("# x\n192.168.1.300 10.1.2.0/24\n")).hasMessageContaining("line 2").hasMessageContaining("node IP");
        assertThatThrownBy(() -> read("192.168.1.2 10.1.2.1/24\n")).hasMessageContaining("line 1").hasMessageContaining("host bits");
        assertThatThrownBy(() -> read("192.168.1.2 10.1.0.0/16\n192.168.1.3 10.1.2.0/24\n")).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> read("[{\"nodeIP\": \"192.168.1.2\"}]")).hasMessageContaining("entry [0]");
        assertThatThrownBy(() -> read("[{\"nodeIP\": \"1.2.3.4\", \"podCIDRs\": [\"10.0.0.0/24\"], \"x\": 1}]"))
                .hasMessageContaining("unknown key(s) [x]");
        assertThatThrownBy(() -> read("[{")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> PeersFile.read(dir.resolve("missing"))).hasMessageContaining("does not exist");
    }
}
