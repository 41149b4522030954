package io.twill.operator.ipam;

import io.twill.operator.ipam.PodCidrAllocator.Occupancy;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterPoolAllocatorTest {

    private static List<Ipv4Prefix> cidrs(String... s) {
        return java.util.Arrays.stream(s).map(Ipv4Prefix::parse).toList();
    }

    @Test
    void handsOutEveryBlockOfEveryPoolOnceThenReportsExhaustion() {
        ClusterPoolAllocator a = new ClusterPoolAllocator(cidrs("10.0.0.0/23", "192.168.8.0/24"), 25);
        Set<Ipv4Prefix> got = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            got.add(a.allocate().orElseThrow());
        }
        assertThat(got).containsExactlyInAnyOrderElementsOf(cidrs("10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/25",
                "10.0.1.128/25", "192.168.8.0/25", "192.168.8.128/25"));
        assertThat(a.allocate()).isEmpty();
        assertThat(a.usage()).extracting(PodCidrAllocator.PoolUsage::free).containsExactly(0L, 0L);

        assertThat(a.release(Ipv4Prefix.parse("10.0.1.0/25"))).isTrue();
        assertThat(a.release(Ipv4Prefix.parse("10.0.1.0/25"))).isFalse();
        assertThat(a.allocate()).contains(Ipv4Prefix.parse("10.0.1.0/25"));
    }

    @Test
    void usesPoolsInOrderAndDoesNotReuseAJustReleasedBlockFirst() {
        ClusterPoolAllocator a = new ClusterPoolAllocator(cidrs("10.1.0.0/16", "10.2.0.0/16"), 24);
        Ipv4Prefix first = a.allocate().orElseThrow();
        Ipv4Prefix second = a.allocate().orElseThrow();
        assertThat(first).hasToString("10.1.0.0/24");
        assertThat(second).hasToString("10.1.1.0/24");
        a.release(first);
        assertThat(a.allocate()).contains(Ipv4Prefix.parse("10.1.2.0/24"));
    }

    @Test
    void occupyAdoptsExistingBlocksAndClassifiesTheRest() {
        ClusterPoolAllocator a = new ClusterPoolAllocator(cidrs("10.0.0.0/16"), 24);
        assertThat(a.occupy(Ipv4Prefix.parse("10.0.0.0/24"))).isEqualTo(Occupancy.OCCUPIED);
        assertThat(a.occupy(Ipv4Prefix.parse("10.0.0.0/24"))).isEqualTo(Occupancy.IN_USE);
        assertThat(a.occupy(Ipv4Prefix.parse("10.1.0.0/24"))).isEqualTo(Occupancy.OUT_OF_POOL);
        assertThat(a.occupy(Ipv4Prefix.parse("10.0.5.0/25"))).isEqualTo(Occupancy.WRONG_SIZE);
        assertThat(a.isAllocated(Ipv4Prefix.parse("10.0.0.0/24"))).isTrue();
        // allocation skips what was occupied
        assertThat(a.allocate()).contains(Ipv4Prefix.parse("10.0.1.0/24"));
        assertThat(a.release(Ipv4Prefix.parse("10.1.0.0/24"))).isFalse();
        assertThat(a.release(Ipv4Prefix.parse("10.0.5.0/25"))).isFalse();
    }

    @Test
    void refusesBadPoolConfigurationWithMessagesNamingTheProblem() {
        assertThatThrownBy(() -> new ClusterPoolAllocator(List.of(), 24)).hasMessageContaining("empty");
        assertThatThrownBy(() -> new ClusterPoolAllocator(cidrs("10.0.0.0/8", "10.20.0.0/16"), 24))
                .hasMessageContaining("10.20.0.0/16 overlaps 10.0.0.0/8");
        assertThatThrownBy(() -> new ClusterPoolAllocator(cidrs("10.0.0.0/16"), 8))
                .hasMessageContaining("/8").hasMessageContaining("10.0.0.0/16");
        assertThatThrownBy(() -> new ClusterPoolAllocator(cidrs("10.0.0.0/16"), 31)).hasMessageContaining("1..30");
    }

    @Test
    void largePoolCostsOneRangeUntilUsed() {
        ClusterPoolAllocator a = new ClusterPoolAllocator(cidrs("10.0.0.0/8"), 30);
        assertThat(a.usage().getFirst().size()).isEqualTo(1L << 22);
        for (int i = 0; i < 10_000; i++) {
            a.allocate().orElseThrow();
        }
        assertThat(a.usage().getFirst().used()).isEqualTo(10_000);
    }

    /** Random allocate/occupy/release against a BitSet model: same answers, never a block twice. */
    @Test
    void agreesWithABitmapModelUnderRandomOperations() {
        Ipv4Prefix p0 = Ipv4Prefix.parse("10.0.0.0/22");
        Ipv4Prefix p1 = Ipv4Prefix.parse("172.16.0.0/23");
        ClusterPoolAllocator a = new ClusterPoolAllocator(List.of(p0, p1), 27);
        List<Ipv4Prefix> all = new ArrayList<>();
        for (Ipv4Prefix p : List.of(p0, p1)) {
            for (long i = 0; i < p.subnetCount(27); i++) {
                all.add(p.subnet(27, i));
            }
        }
        BitSet used = new BitSet();
        Random rnd = new Random(42);
        for (int step = 0; step < 20_000; step++) {
            int op = rnd.nextInt(3);
            if (op == 0) {
                Optional<Ipv4Prefix> got = a.allocate();
                if (used.cardinality() == all.size()) {
                    assertThat(got).isEmpty();
                } else {
                    int idx = all.indexOf(got.orElseThrow());
                    assertThat(used.get(idx)).as("handed out twice: %s", got).isFalse();
                    used.set(idx);
                }
            } else {
                int idx = rnd.nextInt(all.size());
                if (op == 1) {
                    assertThat(a.occupy(all.get(idx))).isEqualTo(used.get(idx) ? Occupancy.IN_USE : Occupancy.OCCUPIED);
                    used.set(idx);
                } else {
                    assertThat(a.release(all.get(idx))).isEqualTo(used.get(idx));
                    used.clear(idx);
                }
            }
            long inUse = a.usage().stream().mapToLong(PodCidrAllocator.PoolUsage::used).sum();
            assertThat(inUse).isEqualTo(used.cardinality());
        }
        for (int i = 0; i < all.size(); i++) {
            assertThat(a.isAllocated(all.get(i))).isEqualTo(used.get(i));
        }
    }
}
