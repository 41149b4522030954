package io.twill.cni.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real static twill-cni binary the build made, with exactly the environment given (like env -i). */
public final class Shim {
    public static final Path BINARY = Path.of(System.getProperty("twill.cni.shim", "target/bin/twill-cni")).toAbsolutePath();

    public record Result(int exit, String stdout, String stderr, Duration elapsed) {
        @Override
        public String toString() {
            return "exit " + exit + " stdout=" + stdout.strip() + " stderr=" + stderr.strip();
        }
    }

    private Shim() {}

    public static Result run(Map<String, String> env, String stdin) {
        return run(env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    public static Result run(Map<String, String> env, byte[] stdin) {
        if (!Files.isExecutable(BINARY)) throw new IllegalStateException(BINARY + " is missing: run mvn compile first");
        return exec(java.util.List.of(BINARY.toString()), env, stdin);
    }

    /** Runs any command (another CNI plugin, or one under ip netns exec) the same way. */
    public static Result exec(java.util.List<String> command, Map<String, String> env, byte[] stdin) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        try {
            Process p = pb.start();
            Thread writer = Thread.ofVirtual().start(() -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException ignored) {
                    // the shim may exit before reading all of it (e.g. VERSION on a huge input)
                }
            });
            var err = new StringBuilder();
            Thread errReader = Thread.ofVirtual().start(() -> {
                try {
                    err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // process gone
                }
            });
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not exit within 60 s");
            }
            writer.join();
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
