package io.twill.bpf;

import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading objects, running programs on crafted packets, rodata constants, and the error paths of loading. */
@PrivilegedTest
@ExtendWith(FdLeakExtension.class)
class ObjectLoadPrivilegedIT {

    @BeforeAll
    static void warmUp() {
        TestBpf.warmUp();
    }

    @Test
    void loadsProgramsAndMapsAndCountsATestRunPacket() {
        try (BpfObject obj = TestBpf.spec("tc_count").load()) {
            assertThat(obj.programs()).extracting(BpfProgram::name).containsExactlyInAnyOrder("count_a", "count_b");
            BpfProgram a = obj.program("count_a");
            assertThat(a.type()).isEqualTo(BpfProgram.TYPE_SCHED_CLS);
            assertThat(a.typeName()).isEqualTo("sched_cls");
            assertThat(a.sectionName()).isEqualTo("tc");
            assertThat(a.id()).isPositive();
            BpfMap counts = obj.map("counts");
            assertThat(counts.typeName()).isEqualTo("array");
            assertThat(counts.keySize()).isEqualTo(4);
            assertThat(counts.valueSize()).isEqualTo(16);
            assertThat(counts.maxEntries()).isEqualTo(4);

            TestRunResult r = a.testRun(TestBpf.icmpEcho());
            assertThat(r.retval()).isZero(); // TC_ACT_OK
            assertThat(r.dataOut()).isEqualTo(TestBpf.icmpEcho());
            a.testRun(TestRun.of(TestBpf.icmpEcho()).withRepeat(4));
            a.testRun(TestBpf.arp()); // not counted
            obj.program("count_b").testRun(TestBpf.icmpEcho());
            assertThat(TestBpf.packets(counts, 0)).isEqualTo(5);
            assertThat(TestBpf.packets(counts, 1)).isEqualTo(1);
        }
    }

    @Test
    void tcxSectionsLoadAsSchedCls() {
        try (BpfObject obj = TestBpf.spec("tcx_section").load()) {
            BpfProgram p = obj.program("pass_all");
            assertThat(p.sectionName()).isEqualTo("tcx/ingress");
            assertThat(p.type()).isEqualTo(BpfProgram.TYPE_SCHED_CLS);
            assertThat(p.testRun(TestBpf.icmpEcho()).retval()).isZero();
        }
    }

    @Test
    void rodataConstantsChangeBehaviourWithoutRecompiling() {
        try (BpfObject obj = TestBpf.spec("tc_count").withConstant("slot_base", 2)
                .withConstant("only_icmp_echo", false).load()) {
            obj.program("count_a").testRun(TestBpf.arp());
            obj.program("count_b").testRun(TestBpf.icmpEcho());
            BpfMap counts = obj.map("counts");
            assertThat(TestBpf.packets(counts, 0)).isZero();
            assertThat(TestBpf.packets(counts, 2)).isEqualTo(1);
            assertThat(TestBpf.packets(counts, 3)).isEqualTo(1);
        }
    }

    @Test
    void unknownOrMissizedConstantsAreClearErrors() {
        assertThatThrownBy(() -> TestBpf.spec("tc_count").withConstant("no_such", 1).load())
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("no const volatile global 'no_such'")
                .hasMessageContaining("slot_base");
        assertThatThrownBy(() -> TestBpf.spec("tc_count").withConstant("slot_base", 1L).load())
                .hasMessageContaining("'slot_base' is 4 bytes in the object, but 8 bytes were given");
    }

    @Test
    void perCpuMapsReturnOneValuePerPossibleCpu() {
        try (BpfObject obj = TestBpf.spec("tc_count").load(); Arena arena = Arena.ofConfined()) {
            BpfMap pc = obj.map("percpu_packets");
            assertThat(pc.isPerCpu()).isTrue();
            int cpus = BpfMap.possibleCpus();
            assertThat(pc.valueBufferSize()).isEqualTo(8 * cpus);
            obj.program("count_a").testRun(TestRun.of(TestBpf.icmpEcho()).withRepeat(3));
            MemorySegment key = arena.allocate(JAVA_INT);
            MemorySegment values = arena.allocate(pc.valueBufferSize());
            assertThat(pc.lookup(key, values)).isTrue();
            long sum = 0;
            for (int cpu = 0; cpu < cpus; cpu++) sum += values.get(JAVA_LONG, (long) cpu * pc.perCpuStride());
            assertThat(sum).isEqualTo(3);
            assertThatThrownBy(() -> pc.lookup(key, arena.allocate(8L * cpus - 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs " + 8 * cpus);
        }
    }

    @Test
    @SuppressWarnings("try") // closes twice on purpose
    void aTakenMapOutlivesItsObject() {
        BpfMap taken;
        try (BpfObject obj = TestBpf.spec("tc_count").load()) {
            obj.program("count_a").testRun(TestBpf.icmpEcho());
            taken = obj.takeMap("counts");
            BpfMap viewed = obj.map("counts");
            obj.close();
            assertThatThrownBy(() -> TestBpf.packets(viewed, 0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was closed");
        }
        try (taken) {
            assertThat(taken.ownsDescriptor()).isTrue();
            assertThat(TestBpf.packets(taken, 0)).isEqualTo(1);
        }
        taken.close(); // idempotent
    }

    @Test
    void verifierRejectionCarriesTheVerifierLog() {
        assertThatThrownBy(() -> TestBpf.spec("tc_reject").load())
                .isInstanceOfSatisfying(VerifierException.class, e -> {
                    assertThat(e.program()).isEqualTo("unchecked_read");
                    assertThat(e.errnoName()).isEqualTo("EACCES");
                    assertThat(e.verifierLog()).contains("invalid access to packet");
                })
                .hasMessageContaining("bpf_object__load(tc_reject)")
                .hasMessageContaining("the verifier rejected program 'unchecked_read'")
                .hasMessageContaining("invalid access to packet");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = Path.of("/nonexistent/twill/x.bpf.o");
        assertThatThrownBy(() -> ObjectSpec.fromFile(missing).load())
                .isInstanceOf(BpfException.class)
                .hasMessageStartingWith("bpf_object__open_file(/nonexistent/twill/x.bpf.o): ENOENT (No such file or directory)")
                .hasMessageContaining("no such file");
    }

    @Test
    void corruptBytesAreNotAnObject() throws IOException {
        byte[] elf = readResource("tc_count");
        byte[] corrupt = elf.clone();
        for (int i = 0x40; i < corrupt.length; i += 7) corrupt[i] ^= (byte) 0x5a;
        assertThatThrownBy(() -> ObjectSpec.fromBytes("corrupt.bpf.o", corrupt).load())
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("bpf_object__open_mem(corrupt.bpf.o)");
        assertThatThrownBy(() -> ObjectSpec.fromBytes("garbage", "not an ELF file".getBytes()).load())
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("bpf_object__open_mem(garbage)")
                .hasMessageContaining("not a valid BPF ELF object");
    }

    @Test
    void mapOperationsBatchesAndIteration() {
        try (BpfObject obj = TestBpf.spec("bench_hash").load(); Arena arena = Arena.ofConfined()) {
            BpfMap m = obj.map("bench_hash");
            MemorySegment key = arena.allocate(4), value = arena.allocate(32), next = arena.allocate(4);
            key.set(JAVA_INT, 0, 7);
            value.set(JAVA_LONG, 0, 77);
            assertThat(m.lookup(key, value)).isFalse();
            m.update(key, value, UpdateFlag.NOEXIST);
            assertThatThrownBy(() -> m.update(key, value, UpdateFlag.NOEXIST)).isInstanceOf(KeyExistsException.class)
                    .hasMessageStartingWith("bpf_map_update_elem(bench_hash): EEXIST (File exists)");
            key.set(JAVA_INT, 0, 8);
            assertThatThrownBy(() -> m.update(key, value, UpdateFlag.EXIST))
                    .hasMessageStartingWith("bpf_map_update_elem(bench_hash): ENOENT");
            key.set(JAVA_INT, 0, 7);
            value.fill((byte) 0);
            assertThat(m.lookup(key, value)).isTrue();
            assertThat(value.get(JAVA_LONG, 0)).isEqualTo(77);
            assertThat(m.nextKey(null, next)).isTrue();
            assertThat(next.get(JAVA_INT, 0)).isEqualTo(7);
            assertThat(m.nextKey(next, next)).isFalse();
            assertThat(m.delete(key)).isTrue();
            assertThat(m.delete(key)).isFalse();

            try (MapBatch batch = m.newBatch(1000)) {
                for (int i = 0; i < 1000; i++) {
                    batch.keys().set(JAVA_INT, 4L * i, i);
                    batch.values().set(JAVA_LONG, 32L * i, i * 10L);
                }
                assertThat(m.updateBatch(batch, 1000, UpdateFlag.ANY)).isEqualTo(1000);
                assertThatThrownBy(() -> m.updateBatch(batch, 10, UpdateFlag.NOEXIST))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("take only UpdateFlag.ANY");
                List<Integer> seen = new ArrayList<>();
                batch.reset();
                try (MapBatch reader = m.newBatch(300)) {
                    while (!reader.done()) {
                        int n = m.lookupBatch(reader);
                        for (int i = 0; i < n; i++) {
                            int k = reader.keys().get(JAVA_INT, 4L * i);
                            assertThat(reader.values().get(JAVA_LONG, 32L * i)).isEqualTo(k * 10L);
                            seen.add(k);
                        }
                    }
                }
                assertThat(seen).hasSize(1000).doesNotHaveDuplicates();
                assertThat(m.deleteBatch(batch, 1000)).isEqualTo(1000);
                assertThat(m.nextKey(null, next)).isFalse();
            }
        }
    }

    @Test
    void aBatchThatFailsHalfwaySaysHowFarItGot() {
        try (BpfObject obj = TestBpf.spec("tc_count").load(); MapBatch batch = obj.map("counts").newBatch(10)) {
            for (int i = 0; i < 10; i++) batch.keys().set(JAVA_INT, 4L * i, i);
            assertThatThrownBy(() -> obj.map("counts").updateBatch(batch, 10, UpdateFlag.ANY))
                    .isInstanceOf(BpfException.class)
                    .hasMessageStartingWith("bpf_map_update_batch(counts): E2BIG (Argument list too long)")
                    .hasMessageContaining("max_entries 4")
                    .hasMessageContaining("4 of 10 elements were processed before the failure");
        }
    }

    @Test
    void pinnedMapsAreReusedByTheNextObjectAndUnpinned() {
        try (TestBpf.Bpffs fs = new TestBpf.Bpffs(); Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4), value = arena.allocate(8);
            key.set(JAVA_INT, 0, 42);
            int firstId;
            try (BpfObject first = TestBpf.spec("tc_pinned").withPinRoot(fs.dir).load()) {
                BpfMap m = first.map("tw_pinned");
                firstId = m.id();
                assertThat(Files.exists(fs.resolve("tw_pinned"))).isTrue();
                value.set(JAVA_LONG, 0, 4242);
                m.update(key, value, UpdateFlag.ANY);
            }
            // A fresh object under the same root gets the same kernel map, contents and all.
            try (BpfObject second = TestBpf.spec("tc_pinned").withPinRoot(fs.dir).load()) {
                BpfMap m = second.map("tw_pinned");
                assertThat(m.id()).isEqualTo(firstId);
                value.fill((byte) 0);
                assertThat(m.lookup(key, value)).isTrue();
                assertThat(value.get(JAVA_LONG, 0)).isEqualTo(4242);
            }
            // Opening the pin directly.
            try (BpfMap pinned = BpfMap.openPinned(fs.resolve("tw_pinned"))) {
                assertThat(pinned.id()).isEqualTo(firstId);
                assertThat(pinned.name()).isEqualTo("tw_pinned");
                assertThat(pinned.unpin()).isTrue();
                assertThat(Files.exists(fs.resolve("tw_pinned"))).isFalse();
                assertThat(pinned.unpin(fs.resolve("tw_pinned"))).isFalse();
            }
        }
    }

    @Test
    void aMapPinPathPinsAndReuses() {
        try (TestBpf.Bpffs fs = new TestBpf.Bpffs()) {
            var pin = fs.resolve("my_counts");
            int id;
            try (BpfObject first = TestBpf.spec("tc_count").withMapPinPath("counts", pin).load()) {
                id = first.map("counts").id();
                first.program("count_a").testRun(TestBpf.icmpEcho());
            }
            assertThat(pin).exists();
            try (BpfObject second = TestBpf.spec("tc_count").withMapPinPath("counts", pin).load()) {
                assertThat(second.map("counts").id()).isEqualTo(id);
                assertThat(TestBpf.packets(second.map("counts"), 0)).isEqualTo(1);
            }
            try (BpfMap m = BpfMap.openPinned(pin)) {
                assertThat(m.unpin()).isTrue();
            }
            Path elsewhere = Path.of("/tmp/tw-not-bpffs/x");
            assertThatThrownBy(() -> TestBpf.spec("tc_count").withMapPinPath("counts", elsewhere).load())
                    .hasMessageContaining("maps [counts] are pinned in /tmp/tw-not-bpffs, but /tmp/tw-not-bpffs does not exist");
        }
    }

    @Test
    void aPinnedProgramIsReopenedAndRuns() throws IOException {
        try (TestBpf.Bpffs fs = new TestBpf.Bpffs()) {
            int id;
            try (BpfObject obj = TestBpf.spec("tc_count").load()) {
                id = obj.program("count_a").id();
                obj.program("count_a").pin(fs.resolve("count_a"));
            }
            try (BpfProgram p = BpfProgram.openPinned(fs.resolve("count_a"))) {
                assertThat(p.id()).isEqualTo(id);
                assertThat(p.name()).isEqualTo("count_a");
                assertThat(p.ownsDescriptor()).isTrue();
                assertThat(p.testRun(TestBpf.icmpEcho()).retval()).isZero();
            }
            Files.delete(fs.resolve("count_a"));
        }
    }

    @Test
    void explicitReuseSharesAMapBetweenObjects() {
        try (TestBpf.Bpffs fs = new TestBpf.Bpffs(); BpfObject first = TestBpf.spec("tc_count").load()) {
            BpfMap counts = first.map("counts");
            counts.pin(fs.resolve("counts"));
            assertThat(counts.pinnedPath()).contains(fs.resolve("counts"));
            try (BpfObject second = TestBpf.spec("tc_count").withReusedMap("counts", fs.resolve("counts")).load()) {
                assertThat(second.map("counts").id()).isEqualTo(counts.id());
                first.program("count_a").testRun(TestBpf.icmpEcho());
                second.program("count_a").testRun(TestBpf.icmpEcho());
                assertThat(TestBpf.packets(counts, 0)).isEqualTo(2);
            }
            assertThat(counts.unpin()).isTrue();
            assertThatThrownBy(() -> TestBpf.spec("tc_count").withReusedMap("counts", fs.resolve("counts")).load())
                    .isInstanceOf(BpfException.class)
                    .hasMessageStartingWith("bpf_obj_get(" + fs.resolve("counts") + "): ENOENT")
                    .hasMessageContaining("no map is pinned there");
        }
    }

    @Test
    void aPinRootThatIsNotABpffsIsNamed() throws IOException {
        Path plainDir = Files.createTempDirectory("tw-plain-");
        try {
            checkPlainDirErrors(plainDir);
        } finally {
            Files.delete(plainDir);
        }
    }

    private static void checkPlainDirErrors(Path plainDir) {
        assertThatThrownBy(() -> TestBpf.spec("tc_pinned").withPinRoot(plainDir).load())
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("maps [tw_pinned] are pinned by name under the pin root " + plainDir)
                .hasMessageContaining("not a bpffs");
        assertThat(plainDir.resolve("tw_pinned")).doesNotExist();
        Path absent = plainDir.resolve("nope");
        assertThatThrownBy(() -> TestBpf.spec("tc_pinned").withPinRoot(absent).load())
                .hasMessageContaining(absent + " does not exist");
        assertThatThrownBy(() -> BpfMap.openPinned(plainDir.resolve("x")))
                .isInstanceOf(BpfException.class)
                .hasMessageStartingWith("bpf_obj_get(" + plainDir.resolve("x") + ")")
                .hasMessageContaining("not a bpffs");
    }

    private static byte[] readResource(String name) throws IOException {
        try (var in = ObjectLoadPrivilegedIT.class.getResourceAsStream("/io/twill/bpf/test/" + name + ".bpf.o")) {
            return in.readAllBytes();
        }
    }
}
