package io.twill.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the images ship: the runtime classpaths the Maven build lays out in agent/target/lib and operator/target/lib
 * (the Dockerfiles copy them whole) hold no test-only code: no mock API server, no Vert.x/mockwebserver it runs on,
 * no test BPF programs.
 * An IT because it reads what {@code package} wrote; it needs no root.
 */
class ImageClasspathIT {

    private static final List<String> TEST_ONLY = List.of("twill-mock-apiserver", "kubernetes-server-mock",
            "mockwebserver", "vertx-", "twill-testkit", "junit", "assertj");

    private static List<String> jars(String dir) throws IOException {
        Path p = Repo.path(dir);
        assertThat(p).as("%s (built by mvn package)", dir).isDirectory();
        try (Stream<Path> s = Files.list(p)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theShippedClasspathsHoldNoTestOnlyJars() throws IOException {
        for (String dir : List.of("agent/target/lib", "operator/target/lib")) {
            List<String> jars = jars(dir);
            assertThat(jars).as(dir).isNotEmpty();
            assertThat(jars).as(dir).noneMatch(j -> TEST_ONLY.stream().anyMatch(j::startsWith));
        }
    }

    @Test
    void theShippedBpfObjectsAreTheDatapathsOnly() throws IOException {
        String jar = jars("agent/target/lib").stream().filter(j -> j.startsWith("twill-bpf-src-")).findFirst()
                .orElseThrow(() -> new AssertionError("agent/target/lib has no twill-bpf-src jar"));
        try (ZipFile zip = new ZipFile(Repo.path("agent/target/lib/" + jar).toFile())) {
            List<String> objects = zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".bpf.o")).sorted().toList();
            assertThat(objects).containsExactly("io/twill/bpf/bpf_host.bpf.o", "io/twill/bpf/bpf_lxc.bpf.o",
                    "io/twill/bpf/bpf_overlay.bpf.o", "io/twill/bpf/bpf_sock.bpf.o");
        }
    }

    @Test
    void theMockApiServerHasItsOwnClasspathForTheLocalCluster() throws IOException {
        assertThat(jars("mock-apiserver/target/lib")).anyMatch(j -> j.startsWith("kubernetes-server-mock"))
                .anyMatch(j -> j.startsWith("twill-api"));
    }
}
