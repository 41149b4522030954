package io.twill.agent;

import io.twill.agent.datapath.NodeNamespace;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 200 ADD/DEL cycles through the real shim leave nothing behind: no device, address, route, map entry, state file,
 * IPAM record, link pin or file descriptor of the (in-process) agent.
 */
@PrivilegedTest
class AgentCyclesPrivilegedIT {
    private static final Logger log = LoggerFactory.getLogger(AgentCyclesPrivilegedIT.class);
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    NodeFixture fx;
    NodeNamespace nodeNs;
    Agent agent;

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) agent.close();
        if (nodeNs != null) nodeNs.close();
        if (fx != null) fx.close();
    }

    @Test
    void twoHundredAddDelCyclesLeaveNothingBehind() throws Exception {
        fx = new NodeFixture(netns, false);
        nodeNs = NodeNamespace.at(fx.node.path());
        agent = Agent.start(fx.config(), nodeNs);
        CniShim cni = new CniShim(fx.socket(), "twill");
        TestNamespace pod = fx.pod("cyc");

        // One warm-up cycle, then the baseline.
        cni.add("warm", pod.path(), "eth0").ok();
        cni.del("warm", pod.path(), "eth0").ok();
        Set<String> linksBefore = AgentPrivilegedIT.links(fx.node);
        String routesBefore = fx.node.exec("ip", "route", "show").stdout();
        String podAddrBefore = pod.exec("ip", "-o", "addr").stdout();
        long pinsBefore = count(fx.pinRoot.resolve("links"));
        int fdsBefore = FdLeakExtension.count();

        int n = 200;
        long[] add = new long[n], del = new long[n];
        for (int i = 0; i < n; i++) {
            String id = "cycle-" + i;
            CniShim.Result a = cni.add(id, pod.path(), "eth0").ok();
            add[i] = a.elapsed().toNanos();
            CniShim.Result d = cni.del(id, pod.path(), "eth0").ok();
            del[i] = d.elapsed().toNanos();
        }

        assertThat(AgentPrivilegedIT.links(fx.node)).isEqualTo(linksBefore);
        assertThat(fx.node.exec("ip", "route", "show").stdout()).isEqualTo(routesBefore);
        assertThat(pod.exec("ip", "-o", "addr").stdout()).isEqualTo(podAddrBefore);
        assertThat(pod.exec("ip", "-o", "link").stdout()).doesNotContain("eth0");
        assertThat(AgentPrivilegedIT.podEntries(agent)).isEmpty();
        assertThat(count(fx.stateDir.resolve("endpoints"))).isZero();
        assertThat(count(fx.stateDir.resolve("ipam"))).isZero();
        assertThat(count(fx.pinRoot.resolve("links"))).isEqualTo(pinsBefore);
        assertThat(agent.ipam().allocations()).isEmpty();
        assertThat(agent.endpoints().registry().count()).isZero();
        int fdsAfter = FdLeakExtension.count();
        for (int i = 0; i < 20 && fdsAfter > fdsBefore; i++) {
            Thread.sleep(50);
            fdsAfter = FdLeakExtension.count();
        }
        assertThat(fdsAfter).as("open fds of the agent's process").isLessThanOrEqualTo(fdsBefore);
        // Not a performance assertion (the machine is shared): logged for the record.
        Arrays.sort(add);
        Arrays.sort(del);
        log.info("{} cycles through the shim: ADD p50 {} ms p90 {} ms, DEL p50 {} ms p90 {} ms", n,
                add[n / 2] / 1e6, add[n * 9 / 10] / 1e6, del[n / 2] / 1e6, del[n * 9 / 10] / 1e6);
    }

    static long count(java.nio.file.Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<java.nio.file.Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
