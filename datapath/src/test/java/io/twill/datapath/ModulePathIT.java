package io.twill.datapath;

import io.twill.testkit.Cmd;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module descriptors hold at run time, not only for javac: a JVM with types, bpf-loader, netlink, maps and
 * datapath (and slf4j) on the module path, {@code --enable-native-access=io.twill.bpf,io.twill.netlink} and
 * {@code --illegal-native-access=deny} loads libbpf, opens a netlink socket, finds the objects, and is refused
 * io.twill.bpf.internal. The tests and the Twill processes themselves run on the class path (see the parent pom);
 * this is the proof that the descriptors are complete. Needs no root.
 */
class ModulePathIT {

    @Test
    void theModulesWorkOnTheModulePathWithNativeAccessForBpfAndNetlinkOnly() {
        List<String> modulePath = new ArrayList<>(), classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Optional<String> name = moduleName(Path.of(entry));
            boolean named = name.filter(n -> n.startsWith("io.twill.") || n.startsWith("org.slf4j")).isPresent();
            (named ? modulePath : classPath).add(entry);
        }
        assertThat(modulePath.stream().map(p -> moduleName(Path.of(p)).orElseThrow()))
                .contains("io.twill.types", "io.twill.bpf", "io.twill.netlink", "io.twill.maps", "io.twill.datapath");
        String java = ProcessHandle.current().info().command().orElse("java");
        Cmd.Result r = Cmd.exec(List.of(java, "--module-path", String.join(File.pathSeparator, modulePath),
                "--add-modules", "io.twill.datapath,io.twill.netlink,org.slf4j.simple",
                "--enable-native-access=io.twill.bpf,io.twill.netlink", "--illegal-native-access=deny",
                "-cp", String.join(File.pathSeparator, classPath),
                "io.twill.datapath.probe.ModulePathProbe"), 60);
        assertThat(r.stdout()).as(r.toString()).contains("ALL OK");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.stderr()).as("no native-access warning").doesNotContain("WARNING");
    }

    /** The name of the module at {@code p} (a jar or classes directory with a module-info), if it declares one. */
    private static Optional<String> moduleName(Path p) {
        try {
            return ModuleFinder.of(p).findAll().stream().findFirst().map(ModuleReference::descriptor)
                    .filter(d -> !d.isAutomatic()).map(d -> d.name());
        } catch (RuntimeException e) {
            return Optional.empty(); // not a module (or not readable as one)
        }
    }
}
