package io.twill.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.twill.api.TwillNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The two main classes as real processes joined only by a kubeconfig file: the standalone mock API server and
 * twill-operator. SIGTERM makes the operator release its lease; closing the mock's stdin stops it.
 */
class OperatorProcessIT {

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private Process java(String mainClass, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    @Test
    void mockServerAndOperatorAsSeparateProcesses() throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                "io.twill.mockapi.MockApiServer", "--address", "127.0.0.1", "--port", "0",
                "--kubeconfig", kubeconfig.toString()));
        Process mock = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(mock);
        BufferedReader out = new BufferedReader(new InputStreamReader(mock.getInputStream(), StandardCharsets.UTF_8));
        String ready;
        while ((ready = out.readLine()) != null && !ready.startsWith("READY ")) {
            // startup log lines
        }
        assertThat(ready).as("mock server output").startsWith("READY http://127.0.0.1:");
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));

        Path opLog = dir.resolve("operator.log");
        Process operator = java("io.twill.operator.TwillOperator", opLog, "--kubeconfig", kubeconfig.toString(),
                "--cluster-pool-ipv4-cidr=10.90.0.0/16", "--metrics-port=0", "--metrics-bind-address=127.0.0.1",
                "--leader-election-namespace=default", "--leader-election-identity=op-process", "--node-gc=false");

        Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            TestCluster cluster = new TestCluster(client);
            await().atMost(Duration.ofSeconds(30)).until(() -> lease(client) != null
                    && "op-process".equals(lease(client).getSpec().getHolderIdentity()));
            for (int i = 0; i < 3; i++) {
                cluster.join("p" + i, "192.168.30." + (i + 1));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.allCidrs().size() == 3);
            assertThat(cluster.allCidrs().values()).allSatisfy(c -> assertThat(c.getFirst()).startsWith("10.90."));
            assertThat(client.resources(TwillNode.class).withName("p0").get().getSpec().internalIP())
                    .contains("192.168.30.1");

            operator.destroy(); // SIGTERM
            assertThat(operator.waitFor(20, TimeUnit.SECONDS)).as("operator exits on SIGTERM").isTrue();
            assertThat(lease(client).getSpec().getHolderIdentity()).as("lease released on SIGTERM").isNullOrEmpty();
            assertThat(Files.readString(opLog)).contains("Released lease default/twill-operator");
        }

        mock.getOutputStream().close(); // stdin EOF
        assertThat(mock.waitFor(20, TimeUnit.SECONDS)).as("mock server exits when stdin closes").isTrue();
        assertThat(mock.exitValue()).isZero();
    }

    @Test
    void badConfigurationExitsWithCode2AndSaysWhy() throws Exception {
        Path log = dir.resolve("bad.log");
        Process p = java("io.twill.operator.TwillOperator", log, "--cluster-pool-ipv4-cidr=10.0.0.0/8,10.1.0.0/16");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("10.1.0.0/16 overlaps 10.0.0.0/8");
    }

    private static Lease lease(KubernetesClient client) {
        return client.leases().inNamespace("default").withName("twill-operator").get();
    }
}
