package io.twill.agent.state;

import io.twill.agent.endpoint.Endpoint;
import io.twill.agent.endpoint.EndpointKey;
import io.twill.agent.endpoint.EndpointStore;
import io.twill.types.Ipv4;
import io.twill.types.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FileEndpointStoreTest {
    @TempDir Path dir;

    static Endpoint endpoint(String container) {
        return new Endpoint(new EndpointKey(container, "eth0"), "twill", Path.of("/run/netns/" + container), "default",
                "web-1", 7, Ipv4.parse("10.0.1.5"), Ipv4.parse("10.0.1.1"), "lxc0123456789ab", 42,
                MacAddress.parse("02:00:00:00:00:01"), 2, MacAddress.parse("02:00:00:00:00:02"), 1500, 1450,
                Instant.parse("2026-11-22T10:00:00Z"));
    }

    @Test
    void roundTripsAndDeletes() throws Exception {
        FileEndpointStore store = new FileEndpointStore(dir);
        Endpoint ep = endpoint("abc");
        store.save(ep);
        assertThat(store.file(ep.key())).exists().hasFileName("abc_eth0.json");
        assertThat(Files.readString(store.file(ep.key()))).contains("\"podName\" : \"web-1\"").contains("\"hostMac\" : \"02:00:00:00:00:01\"");
        EndpointStore.Loaded l = new FileEndpointStore(dir).load();
        assertThat(l.endpoints()).containsExactly(ep);
        assertThat(l.problems()).isEmpty();
        assertThat(store.delete(ep.key())).isTrue();
        assertThat(store.delete(ep.key())).isFalse();
        assertThat(store.load().endpoints()).isEmpty();
    }

    @Test
    void damagedAndUnfinishedFilesAreReportedAndRemoved() throws Exception {
        FileEndpointStore store = new FileEndpointStore(dir);
        store.save(endpoint("good"));
        Files.writeString(dir.resolve("cut_eth0.json"), "{\"format\":1,\"containerId\":\"cut\",");
        Files.writeString(dir.resolve("empty_eth0.json"), "");
        Files.writeString(dir.resolve("wrongname_eth0.json"), Files.readString(store.file(new EndpointKey("good", "eth0"))));
        Files.writeString(dir.resolve("future_eth0.json"), "{\"format\":99}");
        Files.writeString(dir.resolve(".good_eth0.json.abcd.tmp"), "{");
        Files.writeString(dir.resolve("notes.txt"), "hello");
        EndpointStore.Loaded l = store.load();
        assertThat(l.endpoints()).extracting(e -> e.key().containerId()).containsExactly("good");
        assertThat(l.problems()).hasSize(6)
                .anyMatch(p -> p.contains("cut_eth0.json") && p.startsWith("deleted damaged"))
                .anyMatch(p -> p.contains("wrongname_eth0.json") && p.contains("it describes good/eth0"))
                .anyMatch(p -> p.contains("future_eth0.json") && p.contains("unknown format 99"))
                .anyMatch(p -> p.startsWith("deleted unfinished write"))
                .anyMatch(p -> p.contains("notes.txt") && p.startsWith("ignored"));
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("good_eth0.json", "notes.txt");
        }
    }
}
