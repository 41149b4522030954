package io.twill.operator.ipam;

import io.twill.api.TwillNodeCondition;
import io.twill.operator.ipam.IpamTable.Assign;
import io.twill.operator.ipam.IpamTable.Confirmed;
import io.twill.operator.ipam.IpamTable.Exhausted;
import io.twill.operator.ipam.IpamTable.Refused;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IpamTableTest {

    private final IpamTable table = new IpamTable(new ClusterPoolAllocator(List.of(Ipv4Prefix.parse("10.0.0.0/23")), 24));

    @Test
    void allocatesOnceThenConfirmsWhatTheObjectSays() {
        Assign a = (Assign) table.observe("n1", List.of());
        assertThat(a.fresh()).isTrue();
        assertThat(a.cidrs()).containsExactly(Ipv4Prefix.parse("10.0.0.0/24"));
        // a stale cache still shows an empty spec: the same CIDR again, nothing new taken
        assertThat(table.observe("n1", List.of())).isEqualTo(new Assign(a.cidrs(), false));
        assertThat(table.observe("n1", List.of("10.0.0.0/24"))).isEqualTo(new Confirmed(a.cidrs(), false));
        assertThat(table.usage().getFirst().used()).isEqualTo(1);
    }

    @Test
    void adoptsExistingCidrsSoARebuiltTableNeverHandsThemOutAgain() {
        assertThat(table.observe("old", List.of("10.0.1.0/24"))).isEqualTo(
                new Confirmed(List.of(Ipv4Prefix.parse("10.0.1.0/24")), true));
        Assign a = (Assign) table.observe("new", List.of());
        assertThat(a.cidrs()).containsExactly(Ipv4Prefix.parse("10.0.0.0/24"));
        assertThat(table.observe("third", List.of())).isEqualTo(new Exhausted(true));
    }

    @Test
    void exhaustionIsReportedOnceAndResolvedWhenANodeGoes() {
        table.observe("a", List.of());
        table.observe("b", List.of());
        assertThat(table.observe("c", List.of())).isEqualTo(new Exhausted(true));
        assertThat(table.observe("c", List.of())).isEqualTo(new Exhausted(false));
        assertThat(table.pending()).containsExactly("c");

        assertThat(table.forget("a").cidrs()).containsExactly(Ipv4Prefix.parse("10.0.0.0/24"));
        Assign c = (Assign) table.observe("c", List.of());
        assertThat(c.cidrs()).containsExactly(Ipv4Prefix.parse("10.0.0.0/24"));
        assertThat(table.pending()).isEmpty();
        assertThat(table.forget("never-seen").cidrs()).isEmpty();
    }

    @Test
    void refusesMalformedWrongSizeOutOfPoolAndConflictingCidrsWithoutTakingThem() {
        assertThat(reason(table.observe("bad", List.of("10.0.0.300/24")))).isEqualTo(TwillNodeCondition.REASON_INVALID);
        assertThat(reason(table.observe("wide", List.of("10.0.0.0/23")))).isEqualTo(TwillNodeCondition.REASON_INVALID);
        assertThat(reason(table.observe("twice", List.of("10.0.0.0/24", "10.0.0.0/24"))))
                .isEqualTo(TwillNodeCondition.REASON_INVALID);
        assertThat(reason(table.observe("far", List.of("192.168.0.0/24")))).isEqualTo(TwillNodeCondition.REASON_OUT_OF_POOL);
        table.observe("owner", List.of("10.0.1.0/24"));
        Refused dup = (Refused) table.observe("copycat", List.of("10.0.1.0/24"));
        assertThat(dup.refusal().reason()).isEqualTo(TwillNodeCondition.REASON_CONFLICT);
        assertThat(dup.refusal().message()).contains("10.0.1.0/24", "owner");
        assertThat(dup.newly()).isTrue();
        assertThat(((Refused) table.observe("copycat", List.of("10.0.1.0/24"))).newly()).isFalse();

        // nothing refused was taken: exactly one CIDR is in use, the other is free
        assertThat(table.usage().getFirst().used()).isEqualTo(1);
        assertThat(table.refused()).containsExactlyInAnyOrder("bad", "wide", "twice", "far", "copycat");

        // when the owner goes, the copycat's claim becomes valid and is adopted
        table.forget("owner");
        assertThat(table.observe("copycat", List.of("10.0.1.0/24"))).isInstanceOf(Confirmed.class);
        assertThat(table.refused()).doesNotContain("copycat");
    }

    @Test
    void anObjectThatNowNamesOtherCidrsReleasesTheOldOnes() {
        table.observe("n", List.of());
        assertThat(table.observe("n", List.of("10.0.1.0/24"))).isEqualTo(
                new Confirmed(List.of(Ipv4Prefix.parse("10.0.1.0/24")), true));
        assertThat(table.usage().getFirst().used()).isEqualTo(1);
        assertThat(table.observe("m", List.of())).isEqualTo(new Assign(List.of(Ipv4Prefix.parse("10.0.0.0/24")), true));
    }

    private static String reason(IpamTable.Decision d) {
        return ((Refused) d).refusal().reason();
    }
}
