package io.twill.bench.cni;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * One CNI plugin invocation timed from outside, as a runtime does it: start the binary with the CNI environment
 * (and nothing else but PATH), write the network config to its stdin, read its stdout to the end, wait for the exit.
 * The clock starts before the process is created and stops when {@code waitFor} returns.
 */
public final class PluginExec {
    private PluginExec() {}

    /** What one invocation took and printed. */
    public record Call(long nanos, int exit, String stdout, String stderr) {
        public double millis() {
            return nanos / 1e6;
        }

        public Call ok(String what) {
            if (exit != 0) {
                throw new IllegalStateException(what + " failed with exit " + exit + ": " + stdout.strip()
                        + (stderr.isBlank() ? "" : " (stderr: " + stderr.strip() + ")"));
            }
            return this;
        }
    }

    public static Call run(Path binary, Map<String, String> env, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(binary.toString());
        Map<String, String> e = pb.environment();
        e.clear();
        e.putAll(env);
        byte[] in = stdin.getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        try {
            Process p = pb.start();
            try (OutputStream o = p.getOutputStream()) {
                o.write(in);
            } catch (IOException ignored) {
                // the plugin may exit before reading all of stdin (VERSION, early errors)
            }
            String out = readAll(p.getInputStream());
            int exit = p.waitFor();
            long t1 = System.nanoTime();
            // Plugins print little on stderr; it is read after the exit so it stays out of the measurement.
            String err = readAll(p.getErrorStream());
            return new Call(t1 - t0, exit, out, err);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot run " + binary, ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + binary + " ran", ex);
        }
    }

    private static String readAll(InputStream s) throws IOException {
        try (s) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
