package io.twill.agent;

import io.twill.agent.config.AgentConfig;
import io.twill.agent.config.ConfigLoader;
import io.twill.testkit.Cmd;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.TestNamespace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One simulated node for privileged tests: an underlay namespace and a node namespace joined by a veth (the node's
 * {@code eth0}, 192.168.77.2/24), a pin root on the host's bpffs, a state dir and socket in a temp directory, and
 * a standalone agent configuration for them. Everything is removed by {@link #close()} and by the namespaces'
 * extension.
 */
public final class NodeFixture implements AutoCloseable {
    public static final String NODE_IP = "192.168.77.2";
    private static final SecureRandom RANDOM = new SecureRandom();

    public final TestNamespace underlay;
    public final TestNamespace node;
    public final String nodeIp;
    public final String podCidr;
    public final Path pinRoot;
    public final Path stateDir;
    private final NetNsExtension netns;
    private final List<String> extraArgs = new ArrayList<>();
    private final Path bpffsMount;

    /**
     * @param pinRootOnOwnBpffs true: mount a dedicated bpffs under /run for the pin root (needed when the agent runs
     *                          in another process under {@code ip netns exec}, whose /sys is not the host's)
     */
    public NodeFixture(NetNsExtension netns, boolean pinRootOnOwnBpffs) throws IOException {
        this(netns, null, 1, pinRootOnOwnBpffs);
    }

    /**
     * Node number {@code n} (1, 2, …): node IP 192.168.77.(n+1), pod CIDR 10.77.n.0/24. With {@code sharedUnderlay}
     * null the node gets its own underlay namespace; otherwise its eth0 is plugged into the bridge {@code br0} there
     * (made by {@link #underlayWithBridge}).
     */
    public NodeFixture(NetNsExtension netns, TestNamespace sharedUnderlay, int n, boolean pinRootOnOwnBpffs) throws IOException {
        this.netns = netns;
        String id = HexFormat.of().formatHex(RANDOM.generateSeed(3));
        nodeIp = "192.168.77." + (n + 1);
        podCidr = "10.77." + n + ".0/24";
        underlay = sharedUnderlay != null ? sharedUnderlay : netns.create("ul");
        node = netns.create("node" + n);
        String ul = "ul" + n;
        Cmd.run("ip", "link", "add", "eth0", "netns", node.name(), "type", "veth", "peer", "name", ul, "netns", underlay.name());
        node.exec("ip", "addr", "add", nodeIp + "/24", "dev", "eth0");
        node.exec("ip", "link", "set", "eth0", "up");
        if (sharedUnderlay == null) {
            underlay.exec("ip", "addr", "add", "192.168.77.1/24", "dev", ul);
        } else {
            underlay.exec("ip", "link", "set", ul, "master", "br0");
        }
        underlay.exec("ip", "link", "set", ul, "up");
        if (pinRootOnOwnBpffs) {
            bpffsMount = Path.of("/run/twill-it-" + id);
            Files.createDirectories(bpffsMount);
            Cmd.run("mount", "-t", "bpf", "bpf", bpffsMount.toString());
            pinRoot = bpffsMount.resolve("pins");
        } else {
            bpffsMount = null;
            pinRoot = Path.of("/sys/fs/bpf/twill-it-" + id);
        }
        stateDir = Files.createTempDirectory("twill-it-");
    }

    /** An underlay namespace with a bridge {@code br0} that several nodes plug into. */
    public static TestNamespace underlayWithBridge(NetNsExtension netns) {
        TestNamespace u = netns.create("ul");
        u.exec("ip", "link", "add", "br0", "type", "bridge");
        u.exec("ip", "link", "set", "br0", "up");
        return u;
    }

    public Path socket() {
        return stateDir.resolve("twill.sock");
    }

    public NodeFixture with(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    /** The agent's command-line flags for this node (standalone, pod CIDR 10.77.1.0/24 unless overridden). */
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("--node-name", "it-" + node.name(), "--standalone", "--cluster-cidr", "10.77.0.0/16",
                "--pin-root", pinRoot.toString(), "--state-dir", stateDir.toString(), "--uplink", "eth0",
                "--metrics-address", "off"));
        if (!extraArgs.contains("--pod-cidr")) a.addAll(List.of("--pod-cidr", podCidr));
        a.addAll(extraArgs);
        return a;
    }

    public AgentConfig config() {
        return new ConfigLoader().load(args(), Map.of(), "it-" + node.name());
    }

    public TestNamespace pod(String hint) {
        return netns.create(hint);
    }

    @Override
    public void close() throws IOException {
        deleteTree(pinRoot);
        if (bpffsMount != null) {
            Cmd.tryRun("umount", bpffsMount.toString());
            Files.deleteIfExists(bpffsMount);
        }
        deleteTree(stateDir);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
