package io.twill.agent;

import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PingFlood;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent as a separate JVM in the node's namespace, killed with SIGKILL and started again while one pod pings
 * another every 5 ms (replies seen before the kill, while no agent runs, and after the restart): not one ping may be lost, and the new agent must restore both endpoints. The pin root is on
 * a bpffs mounted for the test in the root mount namespace (under {@code ip netns exec}, /sys/fs/bpf is not the
 * host's and would die with the process).
 */
@PrivilegedTest
class AgentRestartPrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    NodeFixture fx;
    AgentProcess agent;
    PingFlood ping;

    @AfterEach
    void tearDown() throws Exception {
        if (ping != null) ping.close();
        if (agent != null) agent.close();
        if (fx != null) fx.close();
    }

    static String ip(CniShim.Result r) {
        String cidr = r.json().at("/ips/0/address").asText();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    @Test
    void killedAndRestartedWhilePodsPingLosesNoPacket() throws Exception {
        fx = new NodeFixture(netns, true);
        Path log = fx.stateDir.resolve("agent.log");
        agent = AgentProcess.start(fx.node, fx.args(), log).awaitReady(120);
        CniShim cni = new CniShim(fx.socket(), "twill");
        TestNamespace a = fx.pod("ka");
        TestNamespace b = fx.pod("kb");
        cni.add("kill-a", a.path(), "eth0").ok();
        String ipB = ip(cni.add("kill-b", b.path(), "eth0").ok());
        a.exec("ping", "-c", "1", "-W", "2", ipB);

        ping = new PingFlood(a.name(), ipB);
        ping.awaitReplies(50, Duration.ofSeconds(10)); // flowing before the kill
        agent.kill();
        assertThat(agent.alive()).isFalse();
        ping.awaitReplies(ping.replies() + 50, Duration.ofSeconds(10)); // flowing with no agent at all
        agent = AgentProcess.start(fx.node, fx.args(), log).awaitReady(120);
        ping.awaitReplies(ping.replies() + 50, Duration.ofSeconds(10)); // flowing with the restarted agent
        PingFlood.Result r = ping.stop();
        org.slf4j.LoggerFactory.getLogger(AgentRestartPrivilegedIT.class).info("ping across SIGKILL + restart: {} replies",
                r.replies().size());
        assertThat(r.lost()).as("pings lost across the kill and restart\n%s", r.output()).isEmpty();

        String agentLog = agent.log();
        assertThat(agentLog).contains("Restore: 2 endpoints restored, 0 gone while the agent was down");
        // The restarted agent serves: DEL of a restored endpoint and a new ADD.
        cni.del("kill-b", b.path(), "eth0").ok();
        assertThat(AgentPrivilegedIT.links(fx.node)).noneMatch(l -> l.equals(io.twill.agent.endpoint.LxcNames.hostIfname(
                new io.twill.agent.endpoint.EndpointKey("kill-b", "eth0"))));
        TestNamespace c = fx.pod("kc");
        String ipC = ip(cni.add("kill-c", c.path(), "eth0").ok());
        a.exec("ping", "-c", "1", "-W", "2", ipC);
        // SIGTERM: a clean stop that leaves the datapath forwarding.
        assertThat(agent.stop()).isIn(0, 143);
        a.exec("ping", "-c", "1", "-W", "2", ipC);
        assertThat(agent.log()).contains("the datapath stays in place");
        List.of(fx.socket()).forEach(s -> assertThat(s).doesNotExist());
    }
}
