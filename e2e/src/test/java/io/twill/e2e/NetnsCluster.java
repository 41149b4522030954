package io.twill.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.testkit.Cmd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Drives {@code ci/netns-cluster}, the cluster of network namespaces, and reads what a user would inspect: the pinned
 * maps through bpftool, the agents' state dirs, the mock API server.
 */
final class NetnsCluster {
    static final Path TOP = findTop();
    static final Path SCRIPT = TOP.resolve("ci/netns-cluster");
    /** The cluster's state dir and namespace prefix: the script's defaults unless the environment sets them (as a
     *  second checkout does to run its own cluster beside this one's). */
    static final Path DIR = Path.of(envOr("TWILL_CLUSTER_DIR", "/run/twill-cluster"));
    static final String NS_PREFIX = envOr("TWILL_CLUSTER_NS_PREFIX", "twc");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String envOr(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    private static Path findTop() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("ci/netns-cluster"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find ci/netns-cluster above " + Path.of("").toAbsolutePath());
        return p;
    }

    /**
     * Writes an object to the cluster's API server (POST to create, PUT to replace), as a controller would; the JSON is
     * Jackson's rendering of {@code object} (maps and lists). Returns the stored object.
     */
    static JsonNode apiWrite(String method, String path, Object object) {
        try {
            Process p = new ProcessBuilder(SCRIPT.toString(), "api", method, path).redirectErrorStream(false).start();
            try (var out = p.getOutputStream()) {
                JSON.writeValue(out, object);
            }
            String stdout = new String(p.getInputStream().readAllBytes());
            String stderr = new String(p.getErrorStream().readAllBytes());
            if (p.waitFor() != 0) throw new IllegalStateException("api " + method + " " + path + " failed: " + stderr + stdout);
            return JSON.readTree(stdout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Deletes an object; false when it was not there. */
    static boolean apiDelete(String path) {
        return exec("api", "DELETE", path).ok();
    }

    /** Runs a cluster command and fails with its output on a non-zero exit. */
    static String run(String... args) {
        return exec(args).check().stdout();
    }

    static Cmd.Result exec(String... args) {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return Cmd.exec(cmd, 300);
    }

    static boolean isUp() {
        return Files.exists(DIR.resolve("cluster.env"));
    }

    static String podIp(String pod) {
        return run("pod-ip", pod).strip();
    }

    static String podNode(String pod) {
        return read(DIR.resolve("pods").resolve(pod).resolve("node"));
    }

    static Path nodeDir(String node) {
        return DIR.resolve("nodes").resolve(node);
    }

    static String nodeNs(String node) {
        return NS_PREFIX + "-" + node;
    }

    /** The outside host's namespace (198.51.100.10, 203.0.113.10). */
    static java.nio.file.Path worldNsPath() {
        return io.twill.netlink.NetNs.named(NS_PREFIX + "-world");
    }

    static String podNs(String pod) {
        return NS_PREFIX + "-p-" + pod;
    }

    /** Pod IPv4 addresses in the node's twill_endpoints map. */
    static Set<String> endpointMapIps(String node) {
        Set<String> ips = new TreeSet<>();
        for (JsonNode e : dump(node, "twill_endpoints")) {
            ips.add(ipv4(e.get("key"), 0));
        }
        return ips;
    }

    /** "a.b.c.d/len" prefixes in the node's twill_tunnel map. */
    static Set<String> tunnelMapPrefixes(String node) {
        Set<String> prefixes = new TreeSet<>();
        for (JsonNode e : dump(node, "twill_tunnel")) {
            JsonNode k = e.get("key"); // struct { __u32 prefixlen; __be32 addr; }: prefixlen is little-endian
            int len = Integer.decode(k.get(0).asText()) | Integer.decode(k.get(1).asText()) << 8;
            prefixes.add(ipv4(k, 4) + "/" + len);
        }
        return prefixes;
    }

    private static String ipv4(JsonNode bytes, int offset) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            if (i > 0) sb.append('.');
            sb.append(Integer.decode(bytes.get(offset + i).asText()));
        }
        return sb.toString();
    }

    private static JsonNode dump(String node, String map) {
        Path pin = nodeDir(node).resolve("bpf/twill").resolve(map);
        String out = Cmd.run("bpftool", "-j", "map", "dump", "pinned", pin.toString()).stdout();
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException("bpftool printed no JSON for " + pin + ": " + out, e);
        }
    }

    /** Files in the node agent's state dir subdirectory ("endpoints", "ipam"). */
    static List<String> stateFiles(String node, String sub) {
        Path d = nodeDir(node).resolve("run").resolve(sub);
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** lxc* devices in a node's namespace. */
    static List<String> lxcDevices(String node) {
        return Cmd.run("ip", "-n", nodeNs(node), "-o", "link", "show").stdout().lines()
                .map(l -> l.split(":\\s+")[1].split("@")[0])
                .filter(n -> n.startsWith("lxc"))
                .sorted().toList();
    }

    /** The TwillNode as the API server has it. */
    static JsonNode twillNode(String node) {
        Cmd.Result r = exec("api", "GET", "/apis/twill.io/v1alpha1/twillnodes/" + node);
        if (!r.ok()) return null;
        try {
            return JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> podCidrs(String node) {
        JsonNode n = twillNode(node);
        if (n == null) return List.of();
        List<String> out = new ArrayList<>();
        n.path("spec").path("ipam").path("podCIDRs").forEach(c -> out.add(c.asText()));
        return out;
    }

    /** ping from a namespace: true when the one echo came back within 2 s. */
    static boolean ping(String ns, String ip) {
        return Cmd.exec(List.of("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "2", ip), 30).ok();
    }

    /** Asks the TCP service of the pod at {@code ip} for its name (each pod answers with its own). */
    static String tcpWhoami(String fromPod, String ip) {
        Cmd.Result r = Cmd.exec(List.of("ip", "netns", "exec", podNs(fromPod), "busybox", "nc", "-w", "2", ip, "8080"), 30);
        return r.stdout().strip();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private NetnsCluster() {}
}
