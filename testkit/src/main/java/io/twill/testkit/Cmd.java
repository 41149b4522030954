package io.twill.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Commands for tests and benchmarks only (ip, tc, bpftool, ping): never on the runtime path.
 * Output is captured (inheriting IO corrupts surefire's channel).
 */
public final class Cmd {
    private Cmd() {}

    /** What a finished command printed. */
    public record Result(List<String> command, int exit, String stdout, String stderr) {
        public boolean ok() { return exit == 0; }

        public Result check() {
            if (exit != 0) throw new IllegalStateException(this.toString());
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exit
                    + (stdout.isBlank() ? "" : "\nstdout: " + stdout.strip())
                    + (stderr.isBlank() ? "" : "\nstderr: " + stderr.strip());
        }
    }

    /** Runs and fails on a non-zero exit. */
    public static Result run(String... command) {
        return exec(List.of(command), 120).check();
    }

    /** Runs and returns whatever happened. */
    public static Result tryRun(String... command) {
        return exec(List.of(command), 120);
    }

    public static Result exec(List<String> command, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            var errBuf = new StringBuilder();
            Thread errReader = Thread.ofPlatform().start(() -> {
                try {
                    errBuf.append(new String(err.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process went away
                }
            });
            String stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + ": timed out after " + timeoutSeconds + " s");
            }
            errReader.join();
            return new Result(new ArrayList<>(command), p.exitValue(), stdout, errBuf.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }
}
