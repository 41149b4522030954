package io.twill.bpf;

import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A map pinned by an earlier run with another max_entries: a named failure, or a fresh map for resizable pins. */
@PrivilegedTest
@ExtendWith(FdLeakExtension.class)
class PinnedMapFitPrivilegedIT {

    @BeforeAll
    static void warmUp() {
        TestBpf.warmUp();
    }

    @Test
    void aResizedPinIsRefusedUnlessDeclaredResizable() {
        try (TestBpf.Bpffs fs = new TestBpf.Bpffs(); Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4), value = arena.allocate(8);
            key.set(JAVA_INT, 0, 7);
            value.set(JAVA_LONG, 0, 77);
            int firstId;
            try (BpfObject first = TestBpf.spec("tc_pinned").withPinRoot(fs.dir).load()) {
                firstId = first.map("tw_pinned").id();
                assertThat(first.map("tw_pinned").maxEntries()).isEqualTo(128);
                first.map("tw_pinned").update(key, value, UpdateFlag.ANY);
            }
            // Same size asked: the pin is reused as before.
            try (BpfObject same = TestBpf.spec("tc_pinned").withPinRoot(fs.dir).withMaxEntries("tw_pinned", 128).load()) {
                assertThat(same.map("tw_pinned").id()).isEqualTo(firstId);
            }
            assertThatThrownBy(() -> TestBpf.spec("tc_pinned").withPinRoot(fs.dir).withMaxEntries("tw_pinned", 256).load())
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("tc_pinned/tw_pinned")
                    .hasMessageContaining("max_entries 128 (asked 256)")
                    .hasMessageContaining(fs.resolve("tw_pinned").toString());
            try (BpfMap still = BpfMap.openPinned(fs.resolve("tw_pinned"))) {
                assertThat(still.id()).as("a refused load leaves the pin alone").isEqualTo(firstId);
            }

            try (BpfObject resized = TestBpf.spec("tc_pinned").withPinRoot(fs.dir).withMaxEntries("tw_pinned", 256)
                    .withResizablePins(Set.of("tw_pinned")).load();
                 BpfMap pinned = BpfMap.openPinned(fs.resolve("tw_pinned"))) {
                BpfMap m = resized.map("tw_pinned");
                assertThat(m.id()).isNotEqualTo(firstId);
                assertThat(m.maxEntries()).isEqualTo(256);
                assertThat(pinned.id()).as("the new map took the pin").isEqualTo(m.id());
                assertThat(m.lookup(key, value)).as("a fresh map starts empty").isFalse();
            }
            // The next run asking 256 reuses the resized pin.
            try (BpfObject next = TestBpf.spec("tc_pinned").withPinRoot(fs.dir).withMaxEntries("tw_pinned", 256)
                    .withResizablePins(Set.of("tw_pinned")).load(); BpfMap pinned = BpfMap.openPinned(fs.resolve("tw_pinned"))) {
                assertThat(next.map("tw_pinned").id()).isEqualTo(pinned.id());
            }
        }
    }
}
