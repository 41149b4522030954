package io.twill.deploy;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.twill.agent.config.AgentConfig;
import io.twill.agent.k8s.Backoff;
import io.twill.agent.k8s.NodeRegistrar;
import io.twill.agent.k8s.NodeStatusReporter;
import io.twill.agent.k8s.NodeWatcher;
import io.twill.agent.k8s.TunnelTable;
import io.twill.agent.metrics.Health;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import io.twill.operator.Operator;
import io.twill.operator.config.OperatorConfig;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Least privilege, proved two ways. Statically: what deploy/kubernetes/rbac.yaml grants each ServiceAccount is
 * exactly the table below, one line per Fabric8 call in the code (no more). Dynamically: the operator and the agent's
 * Kubernetes components run against a mock API server that records their requests, every request must be allowed by
 * the deployed RBAC, and every line of the table must have been used, so the table cannot keep a stale entry.
 */
class RbacTest {

    private static final String TWILL = "twill.io";
    private static final String TWILLNODES = "twillnodes";
    private static final String COORDINATION = "coordination.k8s.io";

    /** One permission the code needs and the call that needs it. */
    record Use(Rbac.Grant grant, String calledFrom) {
    }

    private final Manifests m = Manifests.load();
    @TempDir
    Path tmp;

    /** Everything twill-operator asks the API server for, given its configuration. */
    static List<Use> operatorUses(OperatorConfig c) {
        var le = c.leaderElection();
        List<Use> u = new ArrayList<>(List.of(
                use(TWILL, TWILLNODES, "list", "", "", "LeaderSession: resources(TwillNode).runnableInformer"),
                use(TWILL, TWILLNODES, "watch", "", "", "LeaderSession: resources(TwillNode).runnableInformer"),
                use(TWILL, TWILLNODES, "patch", "", "", "TwillNodeWriter.apply: resource(seen).patch(JSON_MERGE) of spec.ipam"),
                use(TWILL, TWILLNODES, "get", "", "", "TwillNodeWriter.apply: withName(name).get() after a status conflict"),
                use(TWILL, TWILLNODES, "delete", "", "", "TwillNodeWriter.delete (NodeGarbageCollector)"),
                use(TWILL, TWILLNODES + "/status", "update", "", "", "TwillNodeWriter.apply: resource(copy).updateStatus()"),
                use("", "nodes", "list", "", "", "LeaderSession: nodes().runnableInformer (node GC)"),
                use("", "nodes", "watch", "", "", "LeaderSession: nodes().runnableInformer (node GC)"),
                use(COORDINATION, "leases", "create", le.leaseNamespace(), "", "LeaseLock (Fabric8 ResourceLock.create)"),
                use(COORDINATION, "leases", "get", le.leaseNamespace(), le.leaseName(), "ResourceLock.get, LeaseElection.release"),
                use(COORDINATION, "leases", "patch", le.leaseNamespace(), le.leaseName(), "ResourceLock.update: JSON merge patch (renewals)"),
                use(COORDINATION, "leases", "update", le.leaseNamespace(), le.leaseName(), "LeaseElection.release: update() without holder"),
                use("", "events", "create", c.eventNamespace(), "", "TwillNodeWriter.event: v1().events().resource(e).create()")));
        if (c.installCRDs()) {
            String crds = "customresourcedefinitions", api = "apiextensions.k8s.io";
            u.add(use(api, crds, "get", "", TwillNode.CRD_NAME, "CrdInstaller.install: withName(name).get()"));
            u.add(use(api, crds, "create", "", "", "CrdInstaller.install: resource(crd).create()"));
            u.add(use(api, crds, "update", "", TwillNode.CRD_NAME, "CrdInstaller.install: resource(crd).update()"));
        }
        return u;
    }

    /** Everything twill-agent asks the API server for (io.twill.agent.k8s). */
    static List<Use> agentUses() {
        return List.of(
                use(TWILL, TWILLNODES, "get", "", "", "NodeRegistrar.register, NodeStatusReporter.reportOnce: withName(n).get()"),
                use(TWILL, TWILLNODES, "create", "", "", "NodeRegistrar.register: resource(TwillNode.create(..)).create()"),
                use(TWILL, TWILLNODES, "update", "", "", "NodeRegistrar.register: resource(current).update() of spec.addresses"),
                use(TWILL, TWILLNODES, "list", "", "", "NodeWatcher, NodeRegistrar.awaitPodCidrs: runnableInformer"),
                use(TWILL, TWILLNODES, "watch", "", "", "NodeWatcher, NodeRegistrar.awaitPodCidrs: runnableInformer"),
                use(TWILL, TWILLNODES + "/status", "update", "", "", "NodeStatusReporter.reportOnce: updateStatus()"));
    }

    private static Use use(String group, String resource, String verb, String ns, String name, String from) {
        return new Use(new Rbac.Grant(group, resource, verb, ns, name), from);
    }

    private static Set<Rbac.Grant> grants(List<Use> uses) {
        Set<Rbac.Grant> s = new TreeSet<>();
        uses.forEach(u -> s.add(u.grant()));
        return s;
    }

    private Set<Rbac.Grant> granted(io.fabric8.kubernetes.api.model.apps.Deployment d) {
        return Rbac.granted(m, d.getMetadata().getNamespace(), d.getSpec().getTemplate().getSpec().getServiceAccountName());
    }

    private Set<Rbac.Grant> grantedToAgent() {
        var ds = m.agent();
        return Rbac.granted(m, ds.getMetadata().getNamespace(), ds.getSpec().getTemplate().getSpec().getServiceAccountName());
    }

    @Test
    void rbacGrantsEachServiceAccountExactlyWhatItsCodeCalls() {
        OperatorConfig op = DeployedConfig.operator(m, tmp);
        assertThat(granted(m.operator())).as("what rbac.yaml grants twill-operator").isEqualTo(grants(operatorUses(op)));
        assertThat(grantedToAgent()).as("what rbac.yaml grants twill-agent").isEqualTo(grants(agentUses()));
    }

    @Test
    void theOperatorAsksForNothingItsRbacRefusesAndUsesAllOfIt() throws Exception {
        OperatorConfig deployed = DeployedConfig.operator(m, tmp);
        // The deployed configuration, with a pool of two node CIDRs (so four nodes exhaust it: condition and Event),
        // fast lease timings and a fast node GC; the lease's name and namespace and the Event namespace stay.
        Ipv4Prefix first = Ipv4Prefix.parse(deployed.clusterPoolIPv4PodCIDRList().getFirst());
        int mask = deployed.clusterPoolIPv4MaskSize();
        OperatorConfig cfg = deployed.withPool(List.of(Ipv4.format(first.network()) + "/" + (mask - 1)), mask)
                .withLeaderElection(deployed.leaderElection().withTiming(Duration.ofMillis(2000), Duration.ofMillis(1500),
                        Duration.ofMillis(200)))
                .withMetrics(new OperatorConfig.Metrics(true, "127.0.0.1", 0))
                .withNodeGC(new OperatorConfig.NodeGC(true, Duration.ofMillis(300)));
        try (RecordingApiServer api = new RecordingApiServer()) {
            KubernetesClient fixture = api.client("fixture");
            for (int i = 1; i <= 3; i++) {
                fixture.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + i).endMetadata().build()).create();
                fixture.resources(TwillNode.class).resource(TwillNode.create("node-" + i,
                        List.of(NodeAddress.internalIP("172.18.0." + (10 + i))))).create();
            }
            fixture.resources(TwillNode.class).resource(TwillNode.create("node-gone",
                    List.of(NodeAddress.internalIP("172.18.0.99")))).create();
            api.failOnce("PUT", "/status", 409); // the first status write conflicts: the operator re-reads

            Operator op = new Operator(cfg, api.client("twill-operator")).start();
            try {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(fixture.resources(TwillNode.class).withName("node-gone").get()).as("GC").isNull();
                    assertThat(fixture.v1().events().inNamespace(cfg.eventNamespace()).list().getItems()).isNotEmpty();
                    assertThat(fixture.resources(TwillNode.class).list().getItems())
                            .filteredOn(n -> !n.getSpec().podCIDRs().isEmpty()).hasSize(2);
                    assertThat(requests(api, "twill-operator")).anyMatch(r -> r.resource().equals("leases")
                            && r.verb().equals("patch")); // a renewal
                });
            } finally {
                op.close(); // releases the lease
            }
            checkAgainstRbac(requests(api, "twill-operator"), granted(m.operator()), operatorUses(deployed));
        }
    }

    @Test
    void theAgentAsksForNothingItsRbacRefusesAndUsesAllOfIt() throws Exception {
        AgentConfig cfg = DeployedConfig.agent(m, tmp);
        String self = cfg.nodeName();
        try (RecordingApiServer api = new RecordingApiServer()) {
            KubernetesClient fixture = api.client("fixture");
            KubernetesClient client = api.client("twill-agent");
            Backoff backoff = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200));
            Inet4Address ip = cfg.network().nodeAddress().orElseThrow();
            new NodeRegistrar(client, self, ip, backoff).register();
            // the operator's part, done by the fixture: this node's CIDR and a peer with its own
            fixture.resources(TwillNode.class).withName(self).edit(n -> {
                n.setSpec(n.getSpec().withPodCIDRs(List.of("10.244.1.0/24")));
                return n;
            });
            TwillNode peer = TwillNode.create("peer", List.of(NodeAddress.internalIP("172.18.0.50")));
            peer.setSpec(peer.getSpec().withPodCIDRs(List.of("10.244.2.0/24")));
            fixture.resources(TwillNode.class).resource(peer).create();

            NodeRegistrar moved = new NodeRegistrar(client, self, (Inet4Address) Inet4Address.getByName("172.18.0.77"), backoff);
            moved.register(); // the node's address changed: an update of spec.addresses
            assertThat(moved.awaitPodCidrs(Duration.ofSeconds(1))).hasSize(1);

            Map<Ipv4Prefix, Inet4Address> tunnel = new ConcurrentHashMap<>();
            try (NodeWatcher watcher = NodeWatcher.overlay(client, self, new MapTunnel(tunnel), Duration.ofMinutes(5))) {
                watcher.start();
                assertThat(watcher.awaitSynced(Duration.ofSeconds(20))).isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> tunnel.containsKey(Ipv4Prefix.parse("10.244.2.0/24")));
            }
            try (NodeStatusReporter status = new NodeStatusReporter(client, self, Health::ok, Optional::empty, "test",
                    Instant.now(), Duration.ofMinutes(1), Clock.systemUTC())) {
                assertThat(status.reportOnce()).isTrue();
            }
            checkAgainstRbac(requests(api, "twill-agent"), grantedToAgent(), agentUses());
        }
    }

    private static List<Rbac.Request> requests(RecordingApiServer api, String userAgent) {
        return api.requestsFrom(userAgent).stream().map(s -> Rbac.request(s.method(), s.path()))
                .filter(Objects::nonNull).toList();
    }

    private static void checkAgainstRbac(List<Rbac.Request> requests, Set<Rbac.Grant> granted, List<Use> table) {
        assertThat(requests).as("requests recorded").isNotEmpty();
        for (Rbac.Request r : requests) {
            assertThat(granted).as("RBAC refuses %s (%s %s/%s in '%s' named '%s')", r, r.verb(), r.group(),
                    r.resource(), r.namespace(), r.name()).anyMatch(g -> g.allows(r));
        }
        for (Use u : table) {
            assertThat(requests).as("no request used '%s' (%s): a stale line in the table?", u.grant(), u.calledFrom())
                    .anyMatch(u.grant()::allows);
        }
    }

    /** The tunnel map, in memory. */
    private record MapTunnel(Map<Ipv4Prefix, Inet4Address> map) implements TunnelTable {
        @Override
        public String name() {
            return "test-tunnel";
        }

        @Override
        public void put(Ipv4Prefix cidr, Inet4Address nodeIp) {
            map.put(cidr, nodeIp);
        }

        @Override
        public boolean remove(Ipv4Prefix cidr) {
            return map.remove(cidr) != null;
        }

        @Override
        public Map<Ipv4Prefix, Inet4Address> entries() {
            return Map.copyOf(map);
        }
    }
}
