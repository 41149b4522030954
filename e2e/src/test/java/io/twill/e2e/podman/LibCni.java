package io.twill.e2e.podman;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the plugins of a conflist the way libcni 1.1 (podman 4.3's) does, so a test can send what a runtime sends,
 * including the verb podman never sends (CHECK):
 * <ul>
 *   <li>each plugin's stdin is its entry of the list with the list's {@code name} and {@code cniVersion} injected,
 *   re-marshalled with sorted keys (libcni's {@code InjectConf} goes through a Go map), plus {@code prevResult} for
 *   CHECK and DEL (the cached result) and for a chained ADD (the previous plugin's result); {@code runtimeConfig}
 *   only carries capabilities a plugin declares, and Twill declares none;</li>
 *   <li>the environment is the caller's plus CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS
 *   ({@code K=V;K=V}) and CNI_PATH; here the caller's is only PATH, like podman's cleanup process;</li>
 *   <li>ADD and CHECK run the plugins in list order, DEL in reverse; the plugin binary is {@code type} looked up in
 *   the plugin directories.</li>
 * </ul>
 */
final class LibCni {
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** What the runtime knows about one attachment (libcni's RuntimeConf). */
    record RuntimeConf(String containerId, Path netns, String ifName, List<Map.Entry<String, String>> args) {
        RuntimeConf {
            Objects.requireNonNull(containerId);
            Objects.requireNonNull(ifName);
            args = List.copyOf(args);
        }

        /** What podman passes: {@code IgnoreUnknown=1;K8S_POD_NAME=<container name>}. */
        static RuntimeConf podman(String containerId, String name, Path netns) {
            return new RuntimeConf(containerId, netns, "eth0", List.of(Map.entry("IgnoreUnknown", "1"), Map.entry("K8S_POD_NAME", name)));
        }

        String cniArgs() {
            return String.join(";", args.stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
    }

    /** One plugin execution: its exit code and output. */
    record Outcome(String plugin, String command, int exit, String stdout, String stderr) {
        boolean ok() { return exit == 0; }

        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + this, e);
            }
        }

        Outcome check() {
            if (exit != 0) throw new AssertionError(this.toString());
            return this;
        }

        @Override
        public String toString() {
            return plugin + " " + command + " -> exit " + exit + (stdout.isBlank() ? "" : " stdout=" + stdout.strip())
                    + (stderr.isBlank() ? "" : " stderr=" + stderr.strip());
        }
    }

    private final JsonNode list;
    private final List<Path> pluginDirs;

    LibCni(Path conflist, List<Path> pluginDirs) {
        try {
            this.list = JSON.readTree(Files.readString(conflist));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + conflist, e);
        }
        this.pluginDirs = List.copyOf(pluginDirs);
    }

    /** ADD through the chain; returns the last plugin's outcome (its stdout is the result libcni caches). */
    Outcome add(RuntimeConf rt) {
        JsonNode prev = null;
        Outcome last = null;
        for (JsonNode plugin : list.get("plugins")) {
            last = exec("ADD", plugin, rt, prev);
            if (!last.ok()) return last;
            prev = last.json();
        }
        return last;
    }

    /** CHECK with the cached result as prevResult; returns the first failure, else the last outcome. */
    Outcome check(RuntimeConf rt, JsonNode cachedResult) {
        Outcome last = null;
        for (JsonNode plugin : list.get("plugins")) {
            last = exec("CHECK", plugin, rt, cachedResult);
            if (!last.ok()) return last;
        }
        return last;
    }

    /** DEL in reverse order, each plugin with the cached result (null when there is none) as prevResult. */
    Outcome del(RuntimeConf rt, JsonNode cachedResult) {
        List<JsonNode> plugins = new ArrayList<>();
        list.get("plugins").forEach(plugins::add);
        Outcome last = null;
        for (JsonNode plugin : plugins.reversed()) {
            last = exec("DEL", plugin, rt, cachedResult);
            if (!last.ok()) return last;
        }
        return last;
    }

    /**
     * The result libcni cached for an attachment, from its cache file ({@code /var/lib/cni/results/<net>-<id>-<if>},
     * kind {@code cniCacheV1}), which also holds the config and CNI_ARGS the attachment was added with.
     */
    static JsonNode cachedResult(Path cacheFile) {
        return readCache(cacheFile).get("result");
    }

    /** The RuntimeConf libcni rebuilds from a cache file (container id, ifname, CNI_ARGS) for {@code netns}. */
    static RuntimeConf cachedRuntimeConf(Path cacheFile, Path netns) {
        JsonNode c = readCache(cacheFile);
        List<Map.Entry<String, String>> args = new ArrayList<>();
        c.path("cniArgs").forEach(kv -> args.add(Map.entry(kv.get(0).asText(), kv.get(1).asText())));
        return new RuntimeConf(c.get("containerId").asText(), netns, c.get("ifName").asText(), args);
    }

    /** The conflist the attachment was added with, as the cache file stores it (base64). */
    static String cachedConfig(Path cacheFile) {
        return new String(Base64.getDecoder().decode(readCache(cacheFile).get("config").asText()), StandardCharsets.UTF_8);
    }

    private static JsonNode readCache(Path cacheFile) {
        try {
            JsonNode c = JSON.readTree(Files.readString(cacheFile));
            if (!"cniCacheV1".equals(c.path("kind").asText())) throw new IllegalStateException(cacheFile + " is not a cniCacheV1 file: " + c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read libcni's cache file " + cacheFile, e);
        }
    }

    /** The stdin libcni builds for one plugin. */
    String stdin(JsonNode plugin, JsonNode prevResult) {
        Map<String, Object> conf = new TreeMap<>(JSON.convertValue(plugin, Map.class));
        conf.put("name", list.get("name").asText());
        conf.put("cniVersion", list.get("cniVersion").asText());
        if (prevResult != null) conf.put("prevResult", prevResult);
        try {
            return JSON.writeValueAsString(conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Outcome exec(String command, JsonNode plugin, RuntimeConf rt, JsonNode prevResult) {
        String type = plugin.get("type").asText();
        Path binary = pluginDirs.stream().map(d -> d.resolve(type)).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("failed to find plugin \"" + type + "\" in path " + pluginDirs));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", rt.containerId());
        env.put("CNI_NETNS", rt.netns() == null ? "" : rt.netns().toString());
        env.put("CNI_ARGS", rt.cniArgs());
        env.put("CNI_IFNAME", rt.ifName());
        env.put("CNI_PATH", String.join(":", pluginDirs.stream().map(Path::toString).toList()));
        ProcessBuilder pb = new ProcessBuilder(binary.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin(plugin, prevResult).getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // a plugin may answer before reading all of stdin
            }
            StringBuilder err = new StringBuilder();
            Thread errReader = Thread.ofPlatform().start(() -> {
                try {
                    err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // gone
                }
            });
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(type + " " + command + " did not exit within 120 s");
            }
            errReader.join();
            return new Outcome(type, command, p.exitValue(), out, err.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
