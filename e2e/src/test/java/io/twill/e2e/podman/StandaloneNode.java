package io.twill.e2e.podman;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.testkit.Cmd;
import io.twill.testkit.Requires;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One standalone Twill node made by {@code ci/podman/standalone-node} in a directory of its own: the twill-agent
 * process in a node namespace, a private podman configuration whose network {@code twill} is the shipped conflist.
 * Reads what a user would inspect: the agent's state dir, the pinned {@code twill_endpoints} map (bpftool), the node
 * namespace's devices. {@link #close()} runs the script's {@code down}, which removes everything even after a
 * failure.
 */
final class StandaloneNode implements AutoCloseable {
    static final Path TOP = findTop();
    static final Path SCRIPT = TOP.resolve("ci/podman/standalone-node");
    static final String NETWORK = "twill";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final Map<String, String> info;
    private boolean closed;

    private StandaloneNode(Path dir, Map<String, String> info) {
        this.dir = dir;
        this.info = info;
    }

    /** The tools the node or podman needs, and a built agent and twill-cni ({@link Requires}: skip locally, fail on CI). */
    static void requireTools(String... tools) {
        Requires.tool(tools);
        Requires.that(Files.isExecutable(TOP.resolve("cni-plugin/target/bin/twill-cni"))
                && Files.isDirectory(TOP.resolve("agent/target/lib")), "a built agent and twill-cni (make build)");
    }

    /** Brings a node up in a fresh temp directory (the script cleans up itself when {@code up} fails). */
    static StandaloneNode up() {
        Path dir;
        try {
            dir = Files.createTempDirectory("twill-e2e-node-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Cmd.Result r = script(dir, "up");
        if (!r.ok()) {
            Cmd.tryRun("rm", "-rf", dir.toString());
            throw new IllegalStateException("ci/podman/standalone-node up failed:\n" + r);
        }
        Map<String, String> info = new LinkedHashMap<>();
        for (String line : script(dir, "info").check().stdout().lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) info.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return new StandaloneNode(dir, info);
    }

    private static Cmd.Result script(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "TWILL_PODMAN_DIR=" + dir, SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return Cmd.exec(cmd, 300);
    }

    String nodeNs() { return info.get("NODE_NS"); }
    Path socket() { return Path.of(info.get("SOCKET")); }
    Path pinRoot() { return Path.of(info.get("PIN_ROOT")); }
    Path rootfs() { return dir.resolve("rootfs"); }
    Path conflist() { return dir.resolve("net.d/05-twill.conflist"); }
    Path cniBin() { return dir.resolve("cni-bin"); }
    Path stateDir() { return dir.resolve("run"); }

    /** podman with this node's private configuration, and whatever it printed. */
    Cmd.Result podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "CONTAINERS_CONF=" + dir.resolve("containers.conf"),
                "CONTAINERS_STORAGE_CONF=" + dir.resolve("storage.conf"), "podman"));
        cmd.addAll(List.of(args));
        return Cmd.exec(cmd, 180);
    }

    /** A command in the node namespace. */
    Cmd.Result nodeExec(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", nodeNs()));
        cmd.addAll(List.of(args));
        return Cmd.exec(cmd, 60);
    }

    /** Files in the agent's state dir: "endpoints" (one per attachment) or "ipam" (one per allocated IP). */
    List<String> stateFiles(String sub) {
        Path d = stateDir().resolve(sub);
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** lxc* devices in the node namespace. */
    List<String> lxcDevices() {
        return nodeExec("ip", "-o", "link", "show").check().stdout().lines()
                .map(l -> l.split(":\\s+")[1].split("@")[0]).filter(n -> n.startsWith("lxc")).sorted().toList();
    }

    /** Pod entries of the pinned twill_endpoints map, as dotted IPv4 (the node's own HOST entry left out). */
    Set<String> endpointMapIps() {
        Set<String> ips = new TreeSet<>();
        for (JsonNode e : dumpEndpoints()) {
            // struct endpoint_info: flags is the little-endian __u16 at offset 6; ENDPOINT_F_HOST (0x1) = the node itself
            if ((Integer.decode(e.get("value").get(6).asText()) & 1) != 0) continue;
            ips.add(ipv4(e.get("key")));
        }
        return ips;
    }

    /** Deletes one entry of twill_endpoints behind the agent's back, as a stray tool or a bug would. */
    void deleteEndpointEntry(String ip) {
        List<String> cmd = new ArrayList<>(List.of("bpftool", "map", "delete", "pinned",
                pinRoot().resolve("twill_endpoints").toString(), "key"));
        for (String octet : ip.split("\\.")) cmd.add(octet);
        Cmd.exec(cmd, 30).check();
    }

    private JsonNode dumpEndpoints() {
        Path pin = pinRoot().resolve("twill_endpoints");
        String out = Cmd.run("bpftool", "-j", "map", "dump", "pinned", pin.toString()).stdout();
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException("bpftool printed no JSON for " + pin + ": " + out, e);
        }
    }

    private static String ipv4(JsonNode bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) sb.append(i > 0 ? "." : "").append(Integer.decode(bytes.get(i).asText()));
        return sb.toString();
    }

    /** The last lines of the agent's log, for failure messages. */
    String agentLogTail(int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve("agent.log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no agent log: " + e.getMessage() + ")";
        }
    }

    /** True while the agent process still runs. */
    boolean agentAlive() {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("agent.pid")).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Cmd.Result r = script(dir, "down");
        if (!r.ok() || Files.exists(dir)) throw new IllegalStateException("ci/podman/standalone-node down left " + dir + ":\n" + r);
    }

    private static Path findTop() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("ci/podman/standalone-node"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find ci/podman/standalone-node above " + Path.of("").toAbsolutePath());
        return p;
    }
}
