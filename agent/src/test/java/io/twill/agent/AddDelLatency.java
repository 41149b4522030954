package io.twill.agent;

import io.twill.agent.datapath.NodeNamespace;
import io.twill.testkit.Cmd;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.TestNamespace;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Not a test: a measurement of CNI ADD and DEL wall time, Twill (the static twill-cni shim talking to an in-process
 * agent) against the reference Go plugins (bridge + host-local from containernetworking-plugins), interleaved in the
 * same run on the same kind of simulated node, each call timed from exec to exit. The bridge plugin is started from
 * a thread inside the node's namespace, so it pays no {@code ip netns exec}. Prints medians, p90 and the ratios.
 *
 * <pre>
 * scripts/mvn -q -pl agent test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * cd agent && java --enable-native-access=ALL-UNNAMED -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) \
 *      io.twill.agent.AddDelLatency 200       # as root
 * </pre>
 */
public final class AddDelLatency {
    private AddDelLatency() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        NetNsExtension netns = new NetNsExtension();
        try (NodeFixture fx = new NodeFixture(netns, false);
             NodeNamespace ns = NodeNamespace.at(fx.node.path());
             Agent agent = Agent.start(fx.config(), ns)) {
            CniShim twill = new CniShim(fx.socket(), "twill");
            TestNamespace podT = fx.pod("lt");
            TestNamespace podB = fx.pod("lb");
            Path hostLocal = Files.createTempDirectory("twill-bench-hl-");
            String bridgeConf = """
                    {"cniVersion":"1.0.0","name":"bench","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":false,
                     "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.78.0.0/24"}]],
                             "routes":[{"dst":"0.0.0.0/0"}]}}""".formatted(hostLocal);
            long[][] t = new long[4][rounds];
            for (int warm = 0; warm < 10; warm++) {
                twill.add("w" + warm, podT.path(), "eth0").ok();
                twill.del("w" + warm, podT.path(), "eth0").ok();
                bridge(ns, "ADD", "w" + warm, podB.path(), bridgeConf).ok();
                bridge(ns, "DEL", "w" + warm, podB.path(), bridgeConf).ok();
            }
            for (int i = 0; i < rounds; i++) {
                String id = "r" + i;
                boolean twillFirst = i % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    if ((k == 0) == twillFirst) {
                        t[0][i] = twill.add(id, podT.path(), "eth0").ok().elapsed().toNanos();
                        t[1][i] = twill.del(id, podT.path(), "eth0").ok().elapsed().toNanos();
                    } else {
                        t[2][i] = bridge(ns, "ADD", id, podB.path(), bridgeConf).ok().elapsed().toNanos();
                        t[3][i] = bridge(ns, "DEL", id, podB.path(), bridgeConf).ok().elapsed().toNanos();
                    }
                }
            }
            String[] names = {"twill ADD", "twill DEL", "bridge+host-local ADD", "bridge+host-local DEL"};
            double[] p50 = new double[4];
            System.out.printf("%d interleaved rounds, load average %s%n", rounds,
                    Files.readString(Path.of("/proc/loadavg")).strip());
            for (int k = 0; k < 4; k++) {
                long[] s = t[k].clone();
                Arrays.sort(s);
                p50[k] = s[rounds / 2] / 1e6;
                System.out.printf("%-24s p50 %6.2f ms  p90 %6.2f ms  min %6.2f ms%n", names[k], p50[k],
                        s[rounds * 9 / 10] / 1e6, s[0] / 1e6);
            }
            System.out.printf("ratio twill/bridge: ADD %.2f, DEL %.2f (below 1 = Twill faster)%n", p50[0] / p50[2], p50[1] / p50[3]);
            NodeFixture.deleteTree(hostLocal);
        } finally {
            netns.deleteAll();
        }
    }

    /** Runs the bridge plugin on a thread in the node's namespace (the child inherits it). */
    static CniShim.Result bridge(NodeNamespace ns, String cmd, String id, Path netns, String conf) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("CNI_COMMAND", cmd);
        env.put("CNI_CONTAINERID", id);
        env.put("CNI_NETNS", netns.toString());
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/usr/lib/cni");
        return ns.call(() -> CniShim.exec(List.of("/usr/lib/cni/bridge"), env, conf.getBytes(StandardCharsets.UTF_8)));
    }

    static {
        if (!Files.isExecutable(Path.of("/usr/lib/cni/bridge"))) {
            throw new IllegalStateException("/usr/lib/cni/bridge is missing: apt-get install containernetworking-plugins");
        }
        Cmd.run("true");
    }
}
