package io.twill.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.twill.agent.datapath.NodeNamespace;
import io.twill.agent.endpoint.Endpoint;
import io.twill.agent.endpoint.EndpointKey;
import io.twill.agent.endpoint.LxcNames;
import io.twill.bpf.BpfLink;
import io.twill.bpf.Features;
import io.twill.bpf.TcDirection;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.testkit.Cmd;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

/**
 * The agent in-process for one simulated node (its kernel work on a thread inside the node's namespace), driven
 * through its socket by the real twill-cni binary, as a runtime would.
 */
@PrivilegedTest
class AgentPrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    NodeFixture fx;
    NodeNamespace nodeNs;
    Agent agent;
    CniShim cni;

    void start(String... extra) throws Exception {
        fx = new NodeFixture(netns, false).with(extra);
        nodeNs = NodeNamespace.at(fx.node.path());
        agent = Agent.start(fx.config(), nodeNs);
        cni = new CniShim(fx.socket(), "twill");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) agent.close();
        if (nodeNs != null) nodeNs.close();
        if (fx != null) fx.close();
    }

    static String ip(CniShim.Result r) {
        String cidr = r.json().at("/ips/0/address").asText();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    @Test
    void addThroughTheShimCreatesEverythingAndDelRemovesIt() throws Exception {
        start();
        TestNamespace a = fx.pod("pa");
        TestNamespace b = fx.pod("pb");
        assertThat(java.nio.file.Files.getPosixFilePermissions(fx.socket()))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        CniShim.Result ra = cni.add("ctr-a", a.path(), "eth0").ok();
        CniShim.Result rb = cni.add("ctr-b", b.path(), "eth0").ok();
        JsonNode j = ra.json();
        String lxc = j.at("/interfaces/0/name").asText();
        assertThat(lxc).isEqualTo(LxcNames.hostIfname(new EndpointKey("ctr-a", "eth0")));
        assertThat(j.at("/interfaces/1/sandbox").asText()).isEqualTo(a.path().toString());
        assertThat(ip(ra)).isEqualTo("10.77.1.2");
        assertThat(ip(rb)).isEqualTo("10.77.1.3");

        // Pod side: address, MTU, default route with MTU 1450 (overlay), gateway neighbour = lxc MAC.
        String hostMac = j.at("/interfaces/0/mac").asText();
        assertThat(a.exec("ip", "-o", "addr", "show", "dev", "eth0").stdout()).contains("inet 10.77.1.2/32");
        assertThat(a.exec("ip", "-o", "link", "show", "dev", "eth0").stdout()).contains("mtu 1500").contains("UP");
        assertThat(a.exec("ip", "route", "show", "default").stdout()).contains("default via 10.77.1.1 dev eth0").contains("mtu 1450");
        assertThat(a.exec("ip", "route", "show", "10.77.1.1").stdout()).contains("10.77.1.1 dev eth0");
        assertThat(a.exec("ip", "neigh", "show", "10.77.1.1").stdout()).contains("lladdr " + hostMac).contains("PERMANENT");
        // Node side: lxc up with the route to the pod, bpf_lxc on its ingress, the map entry, the state file.
        assertThat(fx.node.exec("ip", "-o", "link", "show", "dev", lxc).stdout()).contains("UP").contains("mtu 1500");
        assertThat(fx.node.exec("ip", "route", "show", "10.77.1.2").stdout()).contains("dev " + lxc);
        Endpoint ep = agent.endpoints().registry().get(new EndpointKey("ctr-a", "eth0")).orElseThrow();
        assertAttached(ep);
        EndpointInfo info = agent.datapath().endpoints().lookup(ep.ip()).orElseThrow();
        assertThat(info.ifindex()).isEqualTo(ep.hostIfindex());
        assertThat(info.endpointId()).isEqualTo(ep.id());
        assertThat(info.nodeMac().toString()).isEqualTo(hostMac);
        assertThat(fx.stateDir.resolve("endpoints/ctr-a_eth0.json")).exists();
        assertThat(fx.stateDir.resolve("ipam/10.77.1.2")).exists();

        // Traffic: pod to pod on the node (through bpf_lxc), node to pod and pod to node.
        a.exec("ping", "-c", "2", "-W", "2", "10.77.1.3");
        fx.node.exec("ping", "-c", "1", "-W", "2", "10.77.1.2");
        b.exec("ping", "-c", "1", "-W", "2", NodeFixture.NODE_IP);

        // CHECK with the cached result passes; once something is broken it says exactly what.
        String prev = "\"prevResult\":" + ra.stdout().strip();
        cni.call("CHECK", "ctr-a", a.path(), "eth0", cni.conf("1.0.0", prev), null).ok();
        a.exec("ip", "route", "del", "default");
        CniShim.Result broken = cni.call("CHECK", "ctr-a", a.path(), "eth0", cni.conf("1.0.0", prev), null);
        assertThat(broken.json().get("code").asInt()).isEqualTo(110);
        assertThat(broken.json().get("details").asText()).isEqualTo("pod default route via 10.77.1.1 mtu 1450 is missing");
        // The node namespace got forwarding on (and only it: these are its own sysctls).
        assertThat(fx.node.exec("cat", "/proc/sys/net/ipv4/ip_forward").stdout().strip()).isEqualTo("1");

        cni.del("ctr-a", a.path(), "eth0").ok();
        assertThat(fx.node.tryExec("ip", "link", "show", "dev", lxc).ok()).isFalse();
        assertThat(fx.node.exec("ip", "route", "show", "10.77.1.2").stdout()).isBlank();
        assertThat(a.exec("ip", "-o", "link").stdout()).doesNotContain("eth0");
        assertThat(agent.datapath().endpoints().lookup(ep.ip())).isEmpty();
        assertThat(fx.stateDir.resolve("endpoints/ctr-a_eth0.json")).doesNotExist();
        assertThat(fx.stateDir.resolve("ipam/10.77.1.2")).doesNotExist();
        assertThat(agent.datapath().linkPin(ep.hostIfindex(), TcDirection.INGRESS)).doesNotExist();
        // DEL again, and DEL of something that never existed, succeed.
        cni.del("ctr-a", a.path(), "eth0").ok();
        cni.del("never", null, "eth0").ok();
        // b is untouched.
        a.tryExec("true");
        fx.node.exec("ping", "-c", "1", "-W", "2", "10.77.1.3");
    }

    @Test
    void sixteenConcurrentAddsGetSixteenDistinctAddresses() throws Exception {
        start();
        List<TestNamespace> pods = new ArrayList<>();
        for (int i = 0; i < 16; i++) pods.add(fx.pod("c" + i));
        List<Future<CniShim.Result>> fs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 16; i++) {
                TestNamespace p = pods.get(i);
                String id = "conc-" + i;
                fs.add(pool.submit(() -> cni.add(id, p.path(), "eth0")));
            }
        }
        Set<String> ips = new HashSet<>();
        for (Future<CniShim.Result> f : fs) ips.add(ip(f.get().ok()));
        assertThat(ips).hasSize(16);
        assertThat(AgentPrivilegedIT.podEntries(agent)).hasSize(16);
        pods.getFirst().exec("ping", "-c", "1", "-W", "2", ips.stream().filter(x -> !x.equals("10.77.1.2")).findFirst().orElseThrow());
    }

    @Test
    void badInputIsAnsweredClearlyAndLeavesNothing() throws Exception {
        start("--pod-cidr", "10.77.1.0/29");
        TestNamespace p = fx.pod("bad");
        Set<String> linksBefore = links(fx.node);

        CniShim.Result noNs = cni.add("x1", Path.of("/run/netns/does-not-exist"), "eth0");
        assertThat(noNs.exit()).isEqualTo(1);
        assertThat(noNs.json().get("code").asInt()).isEqualTo(3);
        assertThat(noNs.json().get("msg").asText()).contains("/run/netns/does-not-exist").contains("does not exist");

        CniShim.Result longName = cni.add("x2", p.path(), "a-very-long-ifname");
        assertThat(longName.json().get("code").asInt()).isEqualTo(4);
        assertThat(longName.json().get("msg").asText()).contains("CNI_IFNAME").contains("longer than 15 bytes");

        p.exec("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "other0");
        CniShim.Result taken = cni.add("x3", p.path(), "eth0");
        assertThat(taken.json().get("code").asInt()).isEqualTo(100);
        assertThat(taken.json().get("msg").asText()).contains("interface eth0 already exists in " + p.path());
        p.exec("ip", "link", "del", "eth0");

        // A /29 holds 5 pods; the sixth ADD is told to try again later.
        List<TestNamespace> pods = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TestNamespace q = fx.pod("f" + i);
            pods.add(q);
            cni.add("full-" + i, q.path(), "eth0").ok();
        }
        CniShim.Result full = cni.add("x4", p.path(), "eth0");
        assertThat(full.json().get("code").asInt()).isEqualTo(11);
        assertThat(full.json().get("msg").asText()).contains("no free pod address");

        // Nothing half-made by the failures: no device, address, map entry, state file or IP for x1..x4.
        Set<String> linksAfter = links(fx.node);
        linksAfter.removeAll(linksBefore);
        assertThat(linksAfter).hasSize(5);
        assertThat(p.exec("ip", "-o", "link").stdout()).doesNotContain("eth0");
        assertThat(AgentPrivilegedIT.podEntries(agent)).hasSize(5);
        try (var files = Files.list(fx.stateDir.resolve("endpoints"))) {
            assertThat(files.map(f -> f.getFileName().toString())).allMatch(n -> n.startsWith("full-")).hasSize(5);
        }
        assertThat(agent.ipam().allocations()).hasSize(5).allMatch(a -> a.owner().containerId().startsWith("full-"));

        // After a DEL the pool has room again.
        cni.del("full-0", pods.getFirst().path(), "eth0").ok();
        cni.add("x4", p.path(), "eth0").ok();
    }

    @Test
    void aRestartedAgentAdoptsItsEndpointsAndCleansLeftovers() throws Exception {
        start();
        TestNamespace a = fx.pod("ra");
        TestNamespace b = fx.pod("rb");
        String ipA = ip(cni.add("keep-a", a.path(), "eth0").ok());
        String ipB = ip(cni.add("keep-b", b.path(), "eth0").ok());
        TestNamespace c = fx.pod("rc");
        cni.add("gone-c", c.path(), "eth0").ok();
        TestNamespace q = fx.pod("rq");
        cni.add("queued-q", q.path(), "eth0").ok();
        String lxcQ = LxcNames.hostIfname(new EndpointKey("queued-q", "eth0"));
        Endpoint epA = agent.endpoints().registry().get(new EndpointKey("keep-a", "eth0")).orElseThrow();
        agent.close();

        // While the agent is down: traffic keeps flowing, a pod goes away, and stale things appear.
        a.exec("ping", "-c", "1", "-W", "2", ipB);
        c.exec("ip", "link", "del", "eth0"); // the runtime tore the pod down: its veth pair is gone
        fx.node.exec("ip", "link", "add", "lxc0123456789ab", "type", "veth", "peer", "name", "stray0");

        // A DEL while the agent is down: the shim queues it on disk and succeeds; the new agent drains the queue.
        TestNamespace e = fx.pod("re");
        CniShim.Result down = cni.add("down-e", e.path(), "eth0");
        assertThat(down.json().get("code").asInt()).isEqualTo(11);
        assertThat(cni.del("queued-q", q.path(), "eth0").exit()).isZero();

        agent = Agent.start(fx.config(), nodeNs);
        assertThat(agent.restoreReport().restored()).extracting(ep -> ep.key().containerId())
                .containsExactlyInAnyOrder("keep-a", "keep-b", "queued-q");
        // The queued DEL ran right after the restore, before the server took new requests.
        assertThat(agent.endpoints().registry().get(new EndpointKey("queued-q", "eth0"))).isEmpty();
        assertThat(links(fx.node)).doesNotContain(lxcQ);
        assertThat(q.exec("ip", "-o", "link").stdout()).doesNotContain("eth0");
        assertThat(agent.restoreReport().gone()).extracting(EndpointKey::containerId).containsExactly("gone-c");
        assertThat(agent.restoreReport().removed()).contains("device lxc0123456789ab");
        assertThat(links(fx.node)).doesNotContain("lxc0123456789ab");
        assertThat(agent.endpoints().registry().get(epA.key())).contains(epA);
        assertThat(AgentPrivilegedIT.podEntries(agent)).hasSize(2);
        assertThat(agent.ipam().allocations()).hasSize(2);
        a.exec("ping", "-c", "1", "-W", "2", ipB);
        assertAttached(agent.endpoints().registry().get(epA.key()).orElseThrow());
        // New pods get neither address of the restored ones, and DEL works on restored endpoints.
        TestNamespace d = fx.pod("rd");
        assertThat(ip(cni.add("new-d", d.path(), "eth0").ok())).isNotIn(ipA, ipB);
        cni.del("keep-a", a.path(), "eth0").ok();
        assertThat(links(fx.node)).doesNotContain(epA.hostIfname());
        try (var queued = Files.list(fx.socket().resolveSibling("delete-queue"))) {
            assertThat(queued.filter(f -> !f.getFileName().toString().startsWith("."))).as("drained deletion queue").isEmpty();
        }
        // GC (CNI 1.1.0) with only keep-b valid removes new-d.
        String gc = cni.conf("1.1.0", "\"cni.dev/valid-attachments\":[{\"containerID\":\"keep-b\",\"ifname\":\"eth0\"}]");
        cni.call("GC", null, null, null, gc, null).ok();
        assertThat(agent.endpoints().registry().all()).extracting(ep -> ep.key().containerId()).containsExactly("keep-b");
        a.tryExec("true");
        b.exec("ip", "-o", "addr", "show", "dev", "eth0");
    }

    /** bpf_lxc is attached to the endpoint's lxc ingress (a direct-action cls_bpf filter, or a pinned TCX link). */
    void assertAttached(Endpoint ep) {
        Path pin = agent.datapath().linkPin(ep.hostIfindex(), TcDirection.INGRESS);
        if (Files.exists(pin)) {
            try (BpfLink link = BpfLink.openPinned(pin)) {
                assertThat(link.info().ifindex()).isEqualTo(ep.hostIfindex());
                assertThat(Cmd.run("bpftool", "prog", "show", "id", String.valueOf(link.info().programId())).stdout())
                        .contains("from_container");
            }
        } else {
            assertThat(fx.node.exec("tc", "filter", "show", "dev", ep.hostIfname(), "ingress").stdout())
                    .contains("from_container").contains("direct-action");
        }
    }

    @Test
    void enableTcxFalseAttachesClsBpfFilters() throws Exception {
        start("--enable-tcx=false");
        assertThat(agent.attachMode()).isEqualTo("cls_bpf");
        TestNamespace a = fx.pod("ca");
        cni.add("cls-a", a.path(), "eth0").ok();
        a.exec("ping", "-c", "1", "-W", "2", NodeFixture.NODE_IP);
        Endpoint ep = agent.endpoints().registry().all().getFirst();
        assertThat(agent.datapath().linkPin(ep.hostIfindex(), TcDirection.INGRESS)).doesNotExist();
        assertThat(fx.node.exec("tc", "filter", "show", "dev", ep.hostIfname(), "ingress").stdout())
                .contains("from_container").contains("direct-action");
        cni.del("cls-a", a.path(), "eth0").ok();
        assertThat(links(fx.node)).doesNotContain(ep.hostIfname());
    }

    @Test
    void metricsHealthAndStatusOfTheLiveAgent() throws Exception {
        start("--metrics-address", "127.0.0.1:0");
        TestNamespace a = fx.pod("ma");
        cni.add("met-a", a.path(), "eth0").ok();
        a.exec("ping", "-c", "1", "-W", "2", NodeFixture.NODE_IP);
        String base = "http://127.0.0.1:" + agent.metricsServer().port();
        var http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(get.apply("/healthz").statusCode()).isEqualTo(200);
        String metrics = get.apply("/metrics").body();
        assertThat(metrics).contains("twill_endpoint_count 1").contains("twill_cni_request_duration_seconds")
                .contains("twill_ipam_ips{state=\"used\"} 1").contains("twill_forward_count_total");
        String attach = Features.tcx() ? "tcx" : "cls_bpf"; // network.enableTCX defaults to true
        assertThat(get.apply("/v1/status").body()).contains("\"attachMode\" : \"" + attach + "\"").contains("\"nodeIp\" : \"192.168.77.2\"")
                .contains("10.77.1.0/24");
        assertThat(get.apply("/v1/endpoints").body()).contains("\"containerId\" : \"met-a\"").contains("10.77.1.2");
        agent.close();
        agent = null;
    }

    /** twill_endpoints without the node's own HOST entry (overlay mode's host path). */
    static List<io.twill.maps.MapEntry<io.twill.maps.endpoints.EndpointKey, EndpointInfo>> podEntries(Agent agent) {
        return agent.datapath().endpoints().entries().stream().filter(e -> !e.value().isHost()).toList();
    }

    static Set<String> links(TestNamespace ns) {
        Set<String> out = new HashSet<>();
        for (String l : ns.exec("ip", "-o", "link").stdout().lines().toList()) {
            String name = l.split(":")[1].strip();
            int at = name.indexOf('@');
            out.add(at < 0 ? name : name.substring(0, at));
        }
        return out;
    }
}
