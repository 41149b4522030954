package io.twill.agent.state;

import io.twill.agent.ipam.IpAllocation;
import io.twill.agent.ipam.Ipam;
import io.twill.agent.ipam.IpamOwner;
import io.twill.agent.ipam.IpamStore;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class FileIpamStoreTest {
    private static final List<Ipv4Prefix> CIDRS = List.of(Ipv4Prefix.parse("10.0.1.0/24"));
    @TempDir Path dir;

    private static IpamOwner owner(int i) {
        return new IpamOwner("c" + i, "eth0", "twill", "ns", "pod-" + i);
    }

    @Test
    void allocationsSurviveARestartAsOneFilePerAddress() throws Exception {
        Ipam first = Ipam.open(new FileIpamStore(dir), CIDRS);
        IpAllocation a = first.allocate(owner(1));
        IpAllocation b = first.allocate(owner(2));
        first.release(b.ip());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("10.0.1.2");
        }
        String json = Files.readString(dir.resolve("10.0.1.2"));
        assertThat(json).contains("\"containerId\":\"c1\"").contains("\"podName\":\"pod-1\"").contains("\"format\":1");

        Ipam second = Ipam.open(new FileIpamStore(dir), CIDRS);
        assertThat(second.allocations()).containsExactly(a);
        IpAllocation c = second.allocate(owner(3));
        assertThat(c.ip()).isNotEqualTo(a.ip());
    }

    @Test
    void damagedPartialAndStrayFilesAreHandled() throws Exception {
        Files.writeString(dir.resolve("10.0.1.5"), "{\"format\":1,\"ip\":\"10.0.1.5\",\"own");   // cut off mid-write
        Files.writeString(dir.resolve("10.0.1.6"), "");                                           // empty
        Files.writeString(dir.resolve("10.0.1.7"), "{\"format\":1,\"ip\":\"10.0.1.8\",\"owner\":{\"containerId\":\"x\",\"ifname\":\"eth0\"}}"); // wrong address
        Files.writeString(dir.resolve(".10.0.1.9.1234.tmp"), "{");                                // unfinished write
        Files.writeString(dir.resolve("README"), "not a record");
        FileIpamStore store = new FileIpamStore(dir);
        IpamStore.Loaded loaded = store.load();
        assertThat(loaded.allocations()).isEmpty();
        assertThat(loaded.unreadable()).extracting(Object::toString)
                .containsExactlyInAnyOrder("/10.0.1.5", "/10.0.1.6", "/10.0.1.7");
        assertThat(loaded.problems()).anyMatch(p -> p.contains("deleted unfinished write"))
                .anyMatch(p -> p.contains("README") && p.contains("not an IPAM record"))
                .anyMatch(p -> p.contains("damaged IPAM record") && p.contains("10.0.1.6"));
        assertThat(dir.resolve(".10.0.1.9.1234.tmp")).doesNotExist();

        // Damaged records keep their addresses reserved: nothing is handed out twice.
        Ipam ipam = Ipam.open(store, CIDRS);
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 10; i++) got.add(ipam.allocate(owner(i)).ip().getHostAddress());
        assertThat(got).doesNotContain("10.0.1.5", "10.0.1.6", "10.0.1.7").contains("10.0.1.8");
        // Reconciliation frees them, and their files go.
        ipam.releaseAllExcept(ipam.allocations().stream().filter(x -> !x.owner().isUnknown()).map(IpAllocation::ip).toList());
        assertThat(dir.resolve("10.0.1.5")).doesNotExist();
        assertThat(dir.resolve("10.0.1.6")).doesNotExist();
        assertThat(new FileIpamStore(dir).load().unreadable()).isEmpty();
    }

    @Test
    void concurrentAllocationsAreDistinctAndAllPersisted() throws Exception {
        Ipam ipam = Ipam.open(new FileIpamStore(dir), CIDRS);
        List<Future<IpAllocation>> fs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 16; i++) {
                int id = i;
                fs.add(pool.submit(() -> ipam.allocate(owner(id))));
            }
        }
        Set<String> ips = new HashSet<>();
        for (var f : fs) ips.add(f.get().ip().getHostAddress());
        assertThat(ips).hasSize(16);
        assertThat(new FileIpamStore(dir).load().allocations()).hasSize(16);
    }
}
