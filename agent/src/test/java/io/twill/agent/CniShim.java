package io.twill.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Drives the agent exactly as a container runtime would: executes the real static {@code twill-cni} binary built by
 * the cni-plugin module, with a bare environment (CNI_* only) and the network config on stdin.
 */
public final class CniShim {
    public static final Path BINARY = Path.of(System.getProperty("twill.cni.shim", "../cni-plugin/target/bin/twill-cni"))
            .toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Result(int exit, String stdout, String stderr, Duration elapsed) {
        public JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + this, e);
            }
        }

        public Result ok() {
            if (exit != 0) throw new AssertionError("CNI call failed: " + this);
            return this;
        }

        @Override
        public String toString() {
            return "exit " + exit + " stdout=" + stdout.strip() + (stderr.isBlank() ? "" : " stderr=" + stderr.strip());
        }
    }

    private final Path socket;
    private final String network;

    public CniShim(Path socket, String network) {
        this.socket = socket;
        this.network = network;
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: build cni-plugin first (scripts/mvn -pl cni-plugin install -DskipTests)");
        }
    }

    public String conf(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + network + "\",\"type\":\"twill-cni\",\"agentSocket\":\""
                + socket + "\"" + (extra == null ? "" : "," + extra) + "}";
    }

    public Result add(String container, Path netns, String ifname) {
        return call("ADD", container, netns, ifname, conf("1.0.0", null), null);
    }

    public Result del(String container, Path netns, String ifname) {
        return call("DEL", container, netns, ifname, conf("1.0.0", null), null);
    }

    public Result call(String command, String container, Path netns, String ifname, String conf, String args) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("CNI_COMMAND", command);
        if (container != null) env.put("CNI_CONTAINERID", container);
        if (netns != null) env.put("CNI_NETNS", netns.toString());
        if (ifname != null) env.put("CNI_IFNAME", ifname);
        env.put("CNI_PATH", "/opt/cni/bin");
        if (args != null) env.put("CNI_ARGS", args);
        return exec(List.of(BINARY.toString()), env, conf.getBytes(StandardCharsets.UTF_8));
    }

    static Result exec(List<String> command, Map<String, String> env, byte[] stdin) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException ignored) {
                // the shim may answer before reading everything
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
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not exit within 60 s");
            }
            errReader.join();
            return new Result(p.exitValue(), out, err.toString(), Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
