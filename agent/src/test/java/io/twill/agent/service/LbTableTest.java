package io.twill.agent.service;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LbTableTest {
    private final FakeLbDatapath dp = new FakeLbDatapath();
    private final List<ServiceTranslator.Problem> problems = new ArrayList<>();
    private final LbTable table = new LbTable(dp, problems::add);

    private static Frontend.Key fk(String ip, int port) {
        return new Frontend.Key(Inet4Address.ofLiteral(ip), port, Frontend.TCP);
    }

    private static Backend be(String ipPort) {
        String[] p = ipPort.split(":");
        return new Backend(new Backend.Key(Inet4Address.ofLiteral(p[0]), Integer.parseInt(p[1]), Frontend.TCP), false,
                p[0].startsWith("10.244.0.") ? "node1" : "node2");
    }

    private static Frontend cluster(String svc, String vip, String... backends) {
        return new Frontend(fk(vip, 80), Frontend.Kind.CLUSTER_IP, svc, List.of(backends).stream().map(LbTableTest::be).toList(), null, 0);
    }

    @Test
    void aServiceIsWrittenBackendsFirstAndScalesWithoutAHalfWrittenMoment() {
        table.apply("default/web", List.of(cluster("default/web", "10.96.0.10", "10.244.0.5:8080", "10.244.1.7:8080")));
        assertThat(dp.backendsOf(fk("10.96.0.10", 80), LbDatapath.SCOPE_ANY)).containsExactly("10.244.0.5:8080", "10.244.1.7:8080");
        int idOf5 = idOf("10.244.0.5:8080");

        // scale up, then down to one survivor, then to nothing: FakeLbDatapath checks every intermediate state
        table.apply("default/web", List.of(cluster("default/web", "10.96.0.10", "10.244.0.5:8080", "10.244.1.7:8080", "10.244.2.9:8080")));
        table.apply("default/web", List.of(cluster("default/web", "10.96.0.10", "10.244.0.5:8080")));
        assertThat(dp.backendsOf(fk("10.96.0.10", 80), LbDatapath.SCOPE_ANY)).containsExactly("10.244.0.5:8080");
        assertThat(idOf("10.244.0.5:8080")).as("a surviving backend keeps its id (its connections stay valid)").isEqualTo(idOf5);
        assertThat(dp.backends).hasSize(1);

        table.apply("default/web", List.of(cluster("default/web", "10.96.0.10")));
        assertThat(dp.backendsOf(fk("10.96.0.10", 80), LbDatapath.SCOPE_ANY)).isEmpty();
        assertThat(dp.backends).isEmpty();

        table.remove("default/web");
        assertThat(dp.services).isEmpty();
        assertThat(dp.slots).isEmpty();
        assertThat(dp.revNats).isEmpty();
        assertThat(problems).isEmpty();
    }

    @Test
    void backendsSharedByTwoFrontendsStayUntilTheLastGoes() {
        table.apply("default/a", List.of(cluster("default/a", "10.96.0.10", "10.244.0.5:8080")));
        table.apply("default/b", List.of(cluster("default/b", "10.96.0.11", "10.244.0.5:8080")));
        assertThat(dp.backends).hasSize(1);
        table.remove("default/a");
        assertThat(dp.backends).hasSize(1);
        assertThat(dp.backendsOf(fk("10.96.0.11", 80), LbDatapath.SCOPE_ANY)).containsExactly("10.244.0.5:8080");
        table.remove("default/b");
        assertThat(dp.backends).isEmpty();
    }

    @Test
    void externalTrafficPolicyLocalHasAnExternalScopeWithLocalBackends() {
        Frontend local = new Frontend(fk("10.99.0.11", 30080), Frontend.Kind.NODE_PORT, "default/web",
                List.of(be("10.244.0.5:8080"), be("10.244.1.7:8080")), List.of(be("10.244.0.5:8080")), 0);
        table.apply("default/web", List.of(local));
        assertThat(dp.backendsOf(fk("10.99.0.11", 30080), LbDatapath.SCOPE_ANY)).hasSize(2);
        assertThat(dp.backendsOf(fk("10.99.0.11", 30080), LbDatapath.SCOPE_EXTERNAL)).containsExactly("10.244.0.5:8080");
        assertThat(dp.services.get(new LbDatapath.Slot(fk("10.99.0.11", 30080), 0, 0)).flags())
                .isEqualTo(LbDatapath.F_NODE_PORT | LbDatapath.F_LOCAL);

        Frontend cluster = new Frontend(local.key(), Frontend.Kind.NODE_PORT, "default/web", local.backends(), null, 0);
        table.apply("default/web", List.of(cluster));
        assertThat(dp.backendsOf(fk("10.99.0.11", 30080), LbDatapath.SCOPE_EXTERNAL)).isNull();
    }

    @Test
    void aFrontendAnotherServiceOwnsIsReportedAndSkipped() {
        table.apply("default/a", List.of(cluster("default/a", "10.96.0.10", "10.244.0.5:8080")));
        table.apply("default/b", List.of(cluster("default/b", "10.96.0.10", "10.244.1.7:8080")));
        assertThat(dp.backendsOf(fk("10.96.0.10", 80), LbDatapath.SCOPE_ANY)).containsExactly("10.244.0.5:8080");
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("frontend_conflict");
            assertThat(p.message()).contains("10.96.0.10:80/TCP", "default/a");
        });
    }

    @Test
    void aFullBackendMapLeavesTheServiceAsItWasAndIsReported() {
        table.apply("default/web", List.of(cluster("default/web", "10.96.0.10", "10.244.0.5:8080")));
        dp.failBackendsAfter = 2;
        table.apply("default/web", List.of(cluster("default/web", "10.96.0.10", "10.244.0.5:8080", "10.244.1.7:8080", "10.244.2.9:8080")));
        assertThat(dp.backendsOf(fk("10.96.0.10", 80), LbDatapath.SCOPE_ANY)).containsExactly("10.244.0.5:8080");
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("datapath_write_failed");
            assertThat(p.message()).contains("E2BIG");
        });
        assertThat(dp.backends).as("the backend written before the failure is released again").hasSize(1);

        dp.failBackendsAfter = Integer.MAX_VALUE;
        table.apply("default/web", List.of(cluster("default/web", "10.96.0.10", "10.244.0.5:8080", "10.244.1.7:8080", "10.244.2.9:8080")));
        assertThat(dp.backendsOf(fk("10.96.0.10", 80), LbDatapath.SCOPE_ANY)).hasSize(3);
    }

    @Test
    void aRestartedAgentAdoptsIdsAndRemovesOnlyWhatNoServiceClaims() {
        table.apply("default/web", List.of(cluster("default/web", "10.96.0.10", "10.244.0.5:8080", "10.244.1.7:8080")));
        table.apply("default/old", List.of(cluster("default/old", "10.96.0.99", "10.244.3.3:8080")));
        int id5 = idOf("10.244.0.5:8080");
        int writesBefore = dp.ops.size();

        LbTable restarted = new LbTable(dp, problems::add);
        restarted.adopt(dp.read());
        restarted.apply("default/web", List.of(cluster("default/web", "10.96.0.10", "10.244.0.5:8080", "10.244.1.7:8080")));
        assertThat(dp.ops.subList(writesBefore, dp.ops.size())).as("an unchanged service rewrites only its slot 0")
                .allMatch(op -> op.startsWith("svc+"));
        assertThat(restarted.removeUnclaimed()).isEqualTo(1);
        assertThat(dp.backendsOf(fk("10.96.0.99", 80), LbDatapath.SCOPE_ANY)).isNull();
        assertThat(idOf("10.244.0.5:8080")).isEqualTo(id5);
        assertThat(dp.backends).hasSize(2);
        assertThat(restarted.serviceCount()).isEqualTo(1);
    }

    @Test
    void anAdoptedBackendNoFrontendNamesIsRemovedAndSharedOnesStay() {
        table.apply("default/a", List.of(cluster("default/a", "10.96.0.10", "10.244.0.5:8080", "10.244.1.7:8080")));
        dp.putBackend(999, be("10.244.9.9:8080")); // left by an earlier run, named by no frontend
        LbTable restarted = new LbTable(dp, problems::add);
        restarted.adopt(dp.read());
        restarted.apply("default/a", List.of(cluster("default/a", "10.96.0.10", "10.244.0.5:8080")));
        assertThat(dp.backends.keySet()).as("the orphan and the scaled-away backend go").doesNotContain(999)
                .hasSize(1);
        restarted.apply("default/b", List.of(cluster("default/b", "10.96.0.11", "10.244.0.5:8080")));
        restarted.remove("default/a");
        assertThat(dp.backends).as("still named by default/b").hasSize(1);
    }

    @Test
    void aBackendTurningTerminatingIsRewrittenInPlace() {
        table.apply("default/web", List.of(cluster("default/web", "10.96.0.10", "10.244.0.5:8080")));
        Backend term = new Backend(be("10.244.0.5:8080").key(), true, "node1");
        table.apply("default/web", List.of(new Frontend(fk("10.96.0.10", 80), Frontend.Kind.CLUSTER_IP, "default/web", List.of(term), null, 0)));
        assertThat(dp.backends.values()).singleElement().extracting(Backend::terminating).isEqualTo(true);
    }

    private int idOf(String backend) {
        return dp.backends.entrySet().stream().filter(e -> e.getValue().key().toString().equals(backend))
                .mapToInt(java.util.Map.Entry::getKey).findFirst().orElseThrow();
    }
}
