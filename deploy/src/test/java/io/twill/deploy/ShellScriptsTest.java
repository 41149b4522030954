package io.twill.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * shellcheck over the scripts nobody can run here (no Docker, no kind), the image launchers, and the scripts that
 * {@code make test} does not run in full: ci/kind/*.sh, the launchers in deploy/docker/, the benchmarks (bench/run.sh,
 * bench/scripts/*.sh), the demo, the podman node, the build helpers in scripts/, and ci/netns-cluster when it exists.
 * Needs shellcheck (scripts/deps.sh installs it); without it the test fails rather than pass unchecked.
 */
class ShellScriptsTest {

    static List<Path> scripts() {
        List<Path> s = new ArrayList<>(Repo.list("ci/kind", ".sh"));
        for (Path f : Repo.list("deploy/docker", "")) {
            String name = f.getFileName().toString();
            if (!name.contains(".")) { // the launchers; not *.Dockerfile nor *.dockerignore
                s.add(f);
            }
        }
        Path netns = Repo.path("ci/netns-cluster");
        if (Files.isRegularFile(netns)) {
            s.add(netns);
        }
        s.addAll(Repo.list("bench/scripts", ".sh"));
        for (String f : List.of("ci/demo.sh", "ci/podman/standalone-node", "bench/run.sh", "scripts/deps.sh",
                "scripts/find-jdk.sh", "scripts/mvn")) {
            s.add(Repo.path(f)); // always present: a missing one fails the executable check below
        }
        return s;
    }

    @Test
    void shellcheckFindsNothing() throws IOException, InterruptedException {
        List<Path> scripts = scripts();
        assertThat(scripts).extracting(p -> p.getFileName().toString())
                .contains("build-images.sh", "e2e.sh", "twill-agent", "twill-operator", "run.sh", "datapath.sh",
                        "agent-scale.sh");
        for (Path s : scripts) {
            assertThat(Files.isExecutable(s)).as("%s is executable", Repo.relative(s)).isTrue();
            assertThat(Files.readAllLines(s).getFirst()).as("%s has a shebang", Repo.relative(s)).startsWith("#!");
        }
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "--format=gcc", "--external-sources"));
        scripts.forEach(p -> cmd.add(p.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(Repo.ROOT.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("shellcheck is not installed, so the kind CI scripts and image launchers cannot be checked: "
                    + "apt-get install shellcheck (scripts/deps.sh does it). " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("shellcheck finished").isTrue();
        assertThat(p.exitValue()).as("shellcheck findings:%n%s", out).isZero();
    }
}
