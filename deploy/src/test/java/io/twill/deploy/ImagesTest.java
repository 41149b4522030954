package io.twill.deploy;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfiles, their launchers and build-images.sh against the build: every file copied exists (or is a build
 * output) and gets past the .dockerignore, the entry points are copied launchers, and each launcher starts a real
 * main class with FFM enabled on the classpath directory the Dockerfile fills. No Docker needed.
 */
class ImagesTest {

    private static final String VERSION = System.getProperty("twill.version", "0.1.0-SNAPSHOT");
    /** Image → its launchers (name on PATH → main class they must start). */
    private static final Map<String, Map<String, String>> IMAGES = Map.of(
            "deploy/docker/agent.Dockerfile", Map.of(
                    "twill-agent", "io.twill.agent.Main",
                    "twillctl", "io.twill.agent.ctl.Twillctl"),
            "deploy/docker/operator.Dockerfile", Map.of(
                    "twill-operator", "io.twill.operator.TwillOperator"));

    @Test
    void everyCopiedFileExistsOrIsABuildOutputAndPassesTheDockerignore() {
        for (String name : IMAGES.keySet()) {
            Dockerfile d = Dockerfile.load(name);
            assertThat(d.copies()).as("COPY lines in %s", name).isNotEmpty();
            assertThat(d.ignore()).as("%s.dockerignore starts by excluding everything", name).first().isEqualTo("*");
            for (Dockerfile.Copy c : d.copies()) {
                for (String src : c.sources()) {
                    String path = src.replace("${TWILL_VERSION}", VERSION);
                    assertThat(d.sendsToBuilder(path)).as("%s copies %s, which its .dockerignore keeps out", name, path)
                            .isTrue();
                    if (!path.contains("/target/")) {
                        assertThat(Files.exists(Repo.path(path))).as("%s copies %s, which is not in the repository",
                                name, path).isTrue();
                    }
                }
            }
            assertThat(d.sendsToBuilder("pom.xml")).as("%s context excludes the rest of the repository", name).isFalse();
            assertThat(d.sendsToBuilder("agent/src/main/java/io/twill/agent/Main.java")).isFalse();
        }
    }

    @Test
    void buildOutputsCopiedAreTheOnesTheMavenBuildLaysOut() {
        Dockerfile agent = Dockerfile.load("deploy/docker/agent.Dockerfile");
        Dockerfile op = Dockerfile.load("deploy/docker/operator.Dockerfile");
        // agent/pom.xml and operator/pom.xml copy the runtime classpath to target/lib; the module jar sits next to it
        assertThat(agent.imagePathOf("agent/target/lib/")).contains("/opt/twill/lib/");
        assertThat(agent.imagePathOf("agent/target/twill-agent-${TWILL_VERSION}.jar"))
                .contains("/opt/twill/lib/twill-agent-${TWILL_VERSION}.jar");
        assertThat(op.imagePathOf("operator/target/lib/")).contains("/opt/twill/lib/");
        assertThat(op.imagePathOf("operator/target/twill-operator-${TWILL_VERSION}.jar"))
                .contains("/opt/twill/lib/twill-operator-${TWILL_VERSION}.jar");
        // cni-plugin builds the static shim there
        assertThat(agent.imagePathOf("cni-plugin/target/bin/twill-cni")).isPresent();
        String build = Repo.read("ci/kind/build-images.sh");
        assertThat(build).contains("--build-arg \"TWILL_VERSION=$version\"");
        // build-images.sh reads the version as the only two-space-indented <version> of the root pom
        assertThat(Repo.read("pom.xml").lines().filter(l -> l.matches("^  <version>.*</version>$")).toList())
                .containsExactly("  <version>" + VERSION + "</version>");
    }

    @Test
    void entryPointsAndLaunchersStartRealMainClassesOnTheImagesClasspath() throws Exception {
        for (var image : IMAGES.entrySet()) {
            Dockerfile d = Dockerfile.load(image.getKey());
            assertThat(d.entrypoint()).as("ENTRYPOINT of %s", image.getKey()).hasSize(1);
            for (var launcher : image.getValue().entrySet()) {
                String onPath = "/usr/local/bin/" + launcher.getKey();
                String source = d.copies().stream().flatMap(c -> c.sources().stream())
                        .filter(s -> s.endsWith("/" + launcher.getKey()) && d.imagePathOf(s).orElse("").equals(onPath))
                        .findFirst().orElseThrow(() -> new AssertionError(image.getKey() + " puts no "
                                + launcher.getKey() + " at " + onPath));
                String script = Repo.read(source);
                assertThat(Files.isExecutable(Repo.path(source))).as("%s is executable", source).isTrue();
                assertThat(script).as("%s enables FFM", source).contains("--enable-native-access=ALL-UNNAMED");
                assertThat(classpathDirectory(script, d)).as("where %s looks for jars", source).isEqualTo("/opt/twill/lib");
                String main = mainClassOf(script, source);
                assertThat(main).as("main class started by %s", source).isEqualTo(launcher.getValue());
                Method m = Class.forName(main).getMethod("main", String[].class);
                assertThat(Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers())).isTrue();
            }
            String first = d.entrypoint().getFirst();
            assertThat(image.getValue().keySet().stream().map(n -> "/usr/local/bin/" + n))
                    .as("the ENTRYPOINT of %s is one of its launchers", image.getKey()).contains(first);
        }
    }

    /** The last token of the exec line that names a Java class (io.twill.…). */
    private static String mainClassOf(String script, String source) {
        Matcher m = Pattern.compile("\\b(io\\.twill(?:\\.[a-z][a-z0-9]*)+\\.[A-Z][A-Za-z0-9]*)\\b").matcher(
                script.lines().filter(l -> !l.strip().startsWith("#")).reduce("", (a, b) -> a + "\n" + b));
        List<String> found = m.results().map(r -> r.group(1)).distinct().toList();
        assertThat(found).as("Java main classes named by %s", source).hasSize(1);
        return found.getFirst();
    }

    /**
     * The jar directory a launcher uses in the image: the default of its $TWILL_LIB, or the value the Dockerfile sets
     * with ENV TWILL_LIB.
     */
    private static String classpathDirectory(String script, Dockerfile d) {
        for (String env : d.env()) {
            if (env.startsWith("TWILL_LIB=")) {
                return env.substring("TWILL_LIB=".length());
            }
        }
        return Repo.find(script, "\\$\\{TWILL_LIB:-([^}]+)}", "the TWILL_LIB default");
    }
}
