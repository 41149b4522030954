package io.twill.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ARCHITECTURE.md's table, enforced: every {@code import} in every module's main sources must name a package that the
 * module may use (its own, a module below it, or a library its row allows), never another module's {@code internal}
 * package; and the modules with a module-info export no {@code internal} package. Plain Java reading the sources:
 * no build output needed, so it runs in {@code make unit}.
 */
class LayeringTest {

    /** A library (or JDK area) by package prefix; the first match wins, so the specific prefixes come first. */
    static final Map<String, String> LIBRARIES = libraries();

    private static Map<String, String> libraries() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("java.lang.foreign", "ffm");
        m.put("java.", "jdk");
        m.put("javax.", "jdk");
        m.put("com.sun.net.httpserver", "jdk");
        m.put("org.slf4j", "slf4j");
        m.put("com.fasterxml.jackson", "jackson");
        m.put("io.fabric8.kubernetes.api.model", "fabric8-model");
        m.put("io.fabric8.kubernetes.model", "fabric8-model");
        m.put("io.fabric8.crd.generator.annotation", "fabric8-model");
        m.put("io.fabric8.kubernetes.client.server.mock", "fabric8-mock");
        m.put("io.fabric8.mockwebserver", "fabric8-mock");
        m.put("io.fabric8.kubernetes.client", "fabric8-client");
        m.put("io.prometheus", "prometheus");
        m.put("org.junit", "junit");
        return m;
    }

    /**
     * What each production module may import besides itself, the JDK and SLF4J (ARCHITECTURE.md). Modules not listed
     * here (testkit, bench, e2e, deploy: test and tooling code) may import anything; the listed ones may not import
     * them.
     */
    static final Map<String, Set<String>> MAY_USE = Map.ofEntries(
            Map.entry("types", Set.of()),
            Map.entry("bpf-loader", Set.of("types", "ffm")),
            Map.entry("netlink", Set.of("types", "ffm")),
            Map.entry("maps", Set.of("bpf-loader", "types", "ffm")),
            Map.entry("datapath", Set.of("maps", "bpf-loader", "types")),
            Map.entry("api", Set.of("types", "jackson", "fabric8-model", "fabric8-client")),
            Map.entry("daemon", Set.of("types", "jackson", "prometheus")),
            Map.entry("cni-plugin", Set.of("jackson")),
            Map.entry("policy", Set.of("api", "types", "jackson", "fabric8-model")),
            Map.entry("operator", Set.of("api", "daemon", "types", "jackson", "fabric8-model", "fabric8-client", "prometheus")),
            Map.entry("agent", Set.of("datapath", "maps", "bpf-loader", "netlink", "cni-plugin", "api", "daemon", "policy", "types",
                    "jackson", "fabric8-model", "fabric8-client", "prometheus")),
            Map.entry("mock-apiserver", Set.of("api", "types", "jackson", "fabric8-model", "fabric8-client", "fabric8-mock")));

    /** Allowed everywhere. */
    static final Set<String> EVERYWHERE = Set.of("jdk", "slf4j");

    /** The native linker (downcalls, library lookup) belongs to bpf-loader and netlink alone. */
    static final Set<String> NATIVE_CALLERS = Set.of("bpf-loader", "netlink");
    static final Pattern LINKER = Pattern.compile("\\bjava\\.lang\\.foreign\\.(Linker|SymbolLookup)\\b");

    static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+?)\\.([A-Z]\\w*|\\*)[\\w.*]*\\s*;",
            Pattern.MULTILINE);
    static final Pattern EXPORT = Pattern.compile("^\\s*exports\\s+([\\w.]+)", Pattern.MULTILINE);

    /** One source file of a module's main code. */
    record Source(String module, Path file, String text) {
    }

    @Test
    void everyMainImportIsOneTheTableAllows() {
        List<Source> sources = mainSources(Repo.ROOT);
        assertThat(sources).as("main sources found").hasSizeGreaterThan(150);
        assertThat(sources.stream().map(Source::module).distinct()).contains("types", "bpf-loader", "netlink", "maps",
                "datapath", "api", "daemon", "cni-plugin", "operator", "agent", "mock-apiserver");
        assertThat(violations(sources)).as("imports ARCHITECTURE.md forbids").isEmpty();
    }

    @Test
    void noInternalPackageIsExported() {
        for (String module : List.of("types", "bpf-loader", "netlink", "maps", "datapath")) {
            assertThat(Repo.path(module + "/src/main/java/module-info.java")).as("%s has a module-info", module)
                    .isRegularFile();
        }
        try (Stream<Path> infos = Files.list(Repo.ROOT)) {
            for (Path info : infos.map(d -> d.resolve("src/main/java/module-info.java")).filter(Files::isRegularFile).toList()) {
                Matcher m = EXPORT.matcher(read(info));
                while (m.find()) {
                    assertThat(m.group(1)).as("%s exports", Repo.ROOT.relativize(info)).doesNotContain("internal");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The checker itself: each kind of wrong import is caught, and the right ones pass. */
    @Test
    void theCheckCatchesWrongImports() {
        Path f = Path.of("X.java");
        List<Source> sources = new ArrayList<>(List.of(
                new Source("maps", Path.of("Own.java"), "package io.twill.maps;\n"),
                new Source("agent", Path.of("Agent.java"), "package io.twill.agent;\n"),
                new Source("bpf-loader", Path.of("Libbpf.java"), "package io.twill.bpf.internal;\n"),
                new Source("bpf-loader", Path.of("BpfMap.java"), "package io.twill.bpf;\n"),
                new Source("maps", f, """
                        package io.twill.maps.x;
                        import io.twill.agent.Agent;
                        import io.twill.bpf.internal.Libbpf;
                        import io.fabric8.kubernetes.client.KubernetesClient;
                        import java.lang.foreign.Linker;
                        import static io.twill.agent.Agent.main;
                        import io.twill.bpf.BpfMap;
                        import io.twill.maps.Own;
                        import java.util.List;
                        import org.slf4j.Logger;
                        import com.example.Thing;
                        """)));
        assertThat(violations(sources)).containsExactlyInAnyOrder(
                "maps: X.java imports io.twill.agent.Agent (module agent)",
                "maps: X.java imports io.twill.bpf.internal.Libbpf (internal package of bpf-loader)",
                "maps: X.java imports io.fabric8.kubernetes.client.KubernetesClient (fabric8-client)",
                "maps: X.java imports java.lang.foreign.Linker (native calls are bpf-loader's and netlink's)",
                "maps: X.java imports io.twill.agent.Agent.main (module agent)",
                "maps: X.java imports com.example.Thing (a package the table does not know)");
    }

    static List<String> violations(List<Source> sources) {
        Map<String, String> owner = new TreeMap<>(); // package -> module
        for (Source s : sources) {
            Matcher p = PACKAGE.matcher(s.text());
            if (p.find()) owner.putIfAbsent(p.group(1), s.module());
        }
        List<String> out = new ArrayList<>();
        for (Source s : sources) {
            Set<String> allowed = MAY_USE.get(s.module());
            if (allowed == null) continue; // testkit, bench, e2e, deploy: tooling and tests
            Matcher m = IMPORT.matcher(s.text());
            while (m.find()) {
                String pkg = m.group(1), what = m.group(0).replaceFirst("^import\\s+(static\\s+)?", "").replace(";", "").strip();
                String where = s.module() + ": " + s.file().getFileName() + " imports " + what;
                String module = owner.get(pkg);
                if (module == null) module = ownerByPrefix(owner, pkg); // a static import of a nested member
                if (module != null) {
                    if (module.equals(s.module())) continue;
                    if (pkg.contains(".internal")) out.add(where + " (internal package of " + module + ")");
                    else if (!allowed.contains(module)) out.add(where + " (module " + module + ")");
                    continue;
                }
                String library = library(pkg);
                if (library == null) out.add(where + " (a package the table does not know)");
                else if (library.equals("ffm") && LINKER.matcher(m.group(0)).find() && !NATIVE_CALLERS.contains(s.module())) {
                    out.add(where + " (native calls are bpf-loader's and netlink's)");
                } else if (!EVERYWHERE.contains(library) && !allowed.contains(library)) {
                    out.add(where + " (" + library + ")");
                }
            }
        }
        return out;
    }

    private static String ownerByPrefix(Map<String, String> owner, String pkg) {
        for (String p = pkg; p.contains("."); p = p.substring(0, p.lastIndexOf('.'))) {
            if (owner.containsKey(p)) return owner.get(p);
        }
        return null;
    }

    private static String library(String pkg) {
        for (var e : LIBRARIES.entrySet()) {
            String prefix = e.getKey();
            if (prefix.endsWith(".") ? pkg.startsWith(prefix) : pkg.equals(prefix) || pkg.startsWith(prefix + ".")) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Every .java file under {@code <module>/src/main/java} of every top-level module. */
    static List<Source> mainSources(Path root) {
        List<Source> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java"))).sorted().toList()) {
                String module = dir.getFileName().toString();
                try (Stream<Path> files = Files.walk(dir.resolve("src/main/java"))) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                        if (!f.getFileName().toString().equals("module-info.java")) out.add(new Source(module, f, read(f)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(f.toString(), e);
        }
    }
}
