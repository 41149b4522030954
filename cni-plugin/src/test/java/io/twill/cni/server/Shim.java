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
final class Shim {
    static final Path BINARY = Path.of(System.getProperty("twill.cni.shim", "target/bin/twill-cni")).toAbsolutePath();

    record Result(int exit, String stdout, String stderr, Duration elapsed) {
        @Override
        public String toString() {
            return "exit " + exit + " stdout=" + stdout.strip() + " stderr=" + stderr.strip();
        }
    }

    private Shim() {}

    static Result run(Map<String, String> env, String stdin) {
        return run(env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    static Result run(Map<String, String> env, byte[] stdin) {
        if (!Files.isExecutable(BINARY)) throw new IllegalStateException(BINARY + " is missing: run mvn compile first");
        ProcessBuilder pb = new ProcessBuilder(BINARY.toString());
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
                throw new IllegalStateException("twill-cni did not exit within 60 s");
            }
            writer.join();
            errReader.join();
            return new Result(p.exitValue(), out, err.toString(), Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + BINARY, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
