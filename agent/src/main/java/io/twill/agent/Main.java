package io.twill.agent;

import io.twill.agent.config.AgentConfig;
import io.twill.agent.config.ConfigException;
import io.twill.agent.config.ConfigLoader;
import io.twill.daemon.ConfigLoading;
import io.twill.agent.datapath.NodeNamespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code twill-agent}: loads the configuration, starts the {@link Agent} in this process's network namespace and
 * runs until SIGTERM/SIGINT, then stops serving and leaves the datapath in place. Exit codes: 0 after a clean stop
 * or --help, 1 when the agent cannot start, 2 for a bad configuration.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        AgentConfig cfg;
        try {
            cfg = new ConfigLoader().load(List.of(args), System.getenv(), hostName());
        } catch (ConfigLoading.HelpRequested h) {
            System.out.print(ConfigLoader.usage());
            return;
        } catch (ConfigException e) {
            System.err.println("twill-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Agent agent;
        try {
            agent = Agent.start(cfg, NodeNamespace.current());
        } catch (AgentStartupException e) {
            System.err.println(e.getMessage());
            if (e.getCause() != null) log.debug("startup failure", e.getCause());
            System.exit(1);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("twill-shutdown").unstarted(() -> {
            log.info("Signal received: stopping (the datapath keeps forwarding)");
            agent.close();
            stopped.countDown();
        }));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }
}
