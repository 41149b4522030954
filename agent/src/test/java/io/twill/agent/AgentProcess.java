package io.twill.agent;

import io.twill.testkit.TestNamespace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code twill-agent} as its own JVM inside a node's namespace ({@code ip netns exec <node> java … Main}), as it runs
 * for real; its output goes to a log file. For tests that kill it.
 */
final class AgentProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static AgentProcess start(TestNamespace node, List<String> args, Path log) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", node.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", cp, "io.twill.agent.Main"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        return new AgentProcess(p, log);
    }

    /** Waits until the log says the agent is ready, failing with the log when it exits or times out. */
    AgentProcess awaitReady(int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int seen = countReady();
        while (System.nanoTime() < deadline) {
            if (countReady() > seen || (seen == 0 && countReady() > 0)) return this;
            if (!process.isAlive()) throw new AssertionError("twill-agent exited with " + process.exitValue() + ":\n" + log());
            Thread.sleep(50);
        }
        throw new AssertionError("twill-agent not ready after " + seconds + " s:\n" + log());
    }

    private int countReady() throws IOException {
        return (int) log().lines().filter(l -> l.contains("twill-agent ready")).count();
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, nothing cleaned up. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the agent's clean shutdown. Returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) stop();
    }
}
