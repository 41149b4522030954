package io.twill.agent.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.agent.endpoint.EndpointKey;
import io.twill.agent.endpoint.EndpointManager;
import io.twill.agent.endpoint.EndpointRegistry;
import io.twill.agent.endpoint.FakeDatapath;
import io.twill.agent.endpoint.FakeNetwork;
import io.twill.agent.endpoint.MemoryEndpointStore;
import io.twill.agent.ipam.Ipam;
import io.twill.agent.ipam.MemoryIpamStore;
import io.twill.cni.CniEngine;
import io.twill.cni.CniInvocation;
import io.twill.cni.CniResponse;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole CNI path without a kernel: the cni-plugin engine on top of this backend on top of the endpoint manager over test doubles. */
class AgentCniBackendTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;
    Path netns;
    final FakeNetwork net = new FakeNetwork();
    final FakeDatapath dp = new FakeDatapath();
    final MemoryEndpointStore store = new MemoryEndpointStore();
    final AtomicReference<String> notReady = new AtomicReference<>();
    EndpointManager mgr;
    CniEngine engine;

    @BeforeEach
    void setUp() throws Exception {
        netns = Files.createFile(tmp.resolve("netns"));
        setUpWith("10.0.1.0/24");
    }

    void setUpWith(String cidr) {
        Ipam ipam = Ipam.open(new MemoryIpamStore(), List.of(Ipv4Prefix.parse(cidr)));
        mgr = new EndpointManager(new EndpointManager.Settings(1500, 50), ipam, net, dp, store, new EndpointRegistry(), Clock.systemUTC());
        engine = new CniEngine(new AgentCniBackend(mgr, "node-a", () -> Optional.ofNullable(notReady.get())));
    }

    CniResponse call(String cmd, String container, String version, String extraConf, String args) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", cmd);
        env.put("CNI_CONTAINERID", container);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_NETNS", netns.toString());
        env.put("CNI_PATH", "/opt/cni/bin");
        if (args != null) env.put("CNI_ARGS", args);
        String conf = "{\"cniVersion\":\"" + version + "\",\"name\":\"twill\",\"type\":\"twill-cni\""
                + (extraConf == null ? "" : "," + extraConf) + "}";
        return engine.handle(new CniInvocation(env, conf.getBytes(StandardCharsets.UTF_8)));
    }

    static JsonNode json(CniResponse r) throws Exception {
        return JSON.readTree(r.stdoutText());
    }

    @Test
    void addPrintsTheResultDelRemovesIt() throws Exception {
        CniResponse r = call("ADD", "c1", "1.0.0", "\"dns\":{\"nameservers\":[\"10.96.0.10\"]}",
                "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-1");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode j = json(r);
        String lxc = j.at("/interfaces/0/name").asText();
        assertThat(lxc).startsWith("lxc").hasSize(15);
        assertThat(j.at("/interfaces/0/sandbox").isMissingNode()).isTrue();
        assertThat(j.at("/interfaces/1/name").asText()).isEqualTo("eth0");
        assertThat(j.at("/interfaces/1/sandbox").asText()).isEqualTo(netns.toString());
        assertThat(j.at("/ips/0/address").asText()).isEqualTo("10.0.1.2/32");
        assertThat(j.at("/ips/0/gateway").asText()).isEqualTo("10.0.1.1");
        assertThat(j.at("/ips/0/interface").asInt()).isEqualTo(1);
        assertThat(j.at("/routes/0/dst").asText()).isEqualTo("0.0.0.0/0");
        assertThat(j.at("/routes/0/gw").asText()).isEqualTo("10.0.1.1");
        assertThat(j.at("/dns/nameservers/0").asText()).isEqualTo("10.96.0.10");
        assertThat(mgr.registry().get(new EndpointKey("c1", "eth0"))).get()
                .satisfies(ep -> assertThat(ep.podRef()).isEqualTo("default/web-1"));

        // CHECK with the result as prevResult passes; after damage it lists what is missing.
        String prev = "\"prevResult\":" + r.stdoutText().strip();
        assertThat(call("CHECK", "c1", "1.0.0", prev, null).exitCode()).isZero();
        net.hostConfigured.clear();
        CniResponse bad = call("CHECK", "c1", "1.0.0", prev, null);
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(json(bad).get("code").asInt()).isEqualTo(AgentCniBackend.CHECK_FAILED);
        assertThat(json(bad).get("details").asText()).contains("host route to 10.0.1.2 is missing");

        // A second ADD is refused by the engine (the backend says it is attached).
        CniResponse again = call("ADD", "c1", "1.0.0", null, null);
        assertThat(json(again).get("code").asInt()).isEqualTo(100);

        assertThat(call("DEL", "c1", "1.0.0", prev, null).exitCode()).isZero();
        assertThat(net.devices).isEmpty();
        assertThat(dp.map).isEmpty();
        assertThat(call("DEL", "c1", "1.0.0", null, null).exitCode()).isZero();
        CniResponse gone = call("CHECK", "c1", "1.0.0", prev, null);
        assertThat(json(gone).get("code").asInt()).isEqualTo(3);
    }

    @Test
    void olderVersionsGetTheirFormat() throws Exception {
        JsonNode j = json(call("ADD", "c1", "0.3.1", null, null));
        assertThat(j.at("/cniVersion").asText()).isEqualTo("0.3.1");
        assertThat(j.at("/ips/0/version").asText()).isEqualTo("4");
    }

    @Test
    void staticAddressFromCniArgsAndItsErrors() throws Exception {
        JsonNode j = json(call("ADD", "c1", "1.0.0", null, "IP=10.0.1.77;MAC=02:00:00:00:00:77"));
        assertThat(j.at("/ips/0/address").asText()).isEqualTo("10.0.1.77/32");
        assertThat(j.at("/interfaces/1/mac").asText()).isEqualTo("02:00:00:00:00:77");
        JsonNode taken = json(call("ADD", "c2", "1.0.0", null, "IP=10.0.1.77"));
        assertThat(taken.get("code").asInt()).isEqualTo(4);
        assertThat(taken.get("msg").asText()).contains("CNI_ARGS IP").contains("already allocated to c1/eth0");
        JsonNode outside = json(call("ADD", "c3", "1.0.0", null, "IP=192.168.1.1"));
        assertThat(outside.get("code").asInt()).isEqualTo(4);
        assertThat(outside.get("msg").asText()).contains("not in this node's pod CIDRs");
        JsonNode two = json(call("ADD", "c4", "1.0.0", null, "IP=10.0.1.8,10.0.1.9"));
        assertThat(two.get("msg").asText()).contains("exactly one IPv4 address");
        assertThat(net.devices).hasSize(1);
    }

    @Test
    void exhaustionIsTryAgainLater() throws Exception {
        setUpWith("10.0.2.0/30");
        assertThat(call("ADD", "a", "1.0.0", null, null).exitCode()).isZero();
        JsonNode j = json(call("ADD", "b", "1.0.0", null, null));
        assertThat(j.get("code").asInt()).isEqualTo(11);
        assertThat(j.get("msg").asText()).contains("no free pod address on node node-a");
        assertThat(json(call("STATUS", "", "1.1.0", null, null)).get("code").asInt()).isEqualTo(50);
    }

    @Test
    void aFailedStepIsAnInternalErrorNamingTheStep() throws Exception {
        dp.failOn.add("attach");
        JsonNode j = json(call("ADD", "c1", "1.0.0", null, null));
        assertThat(j.get("code").asInt()).isEqualTo(999);
        assertThat(j.get("msg").asText()).contains("at step 'attach bpf_lxc'");
        assertThat(j.get("details").asText()).contains("attach: injected failure").contains("rolled back");
        assertThat(net.devices).isEmpty();
    }

    @Test
    void statusAndGc() throws Exception {
        notReady.set("waiting for the pod CIDR");
        JsonNode s = json(call("STATUS", "", "1.1.0", null, null));
        assertThat(s.get("code").asInt()).isEqualTo(50);
        assertThat(s.get("details").asText()).isEqualTo("waiting for the pod CIDR");
        notReady.set(null);
        assertThat(call("STATUS", "", "1.1.0", null, null).exitCode()).isZero();

        call("ADD", "keep", "1.1.0", null, null);
        call("ADD", "drop", "1.1.0", null, null);
        CniResponse gc = call("GC", "", "1.1.0",
                "\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]", null);
        assertThat(gc.exitCode()).as(gc.toString()).isZero();
        assertThat(mgr.registry().all()).extracting(e -> e.key().containerId()).containsExactly("keep");
    }
}
