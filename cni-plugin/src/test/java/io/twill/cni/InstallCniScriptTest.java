package io.twill.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twill.cni.server.Shim;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** dist/install-cni.sh against temporary directories. */
class InstallCniScriptTest {
    private static final Path DIST = Path.of(System.getProperty("twill.cni.dist", "dist")).toAbsolutePath();
    private static final Path SCRIPT = DIST.resolve("install-cni.sh");

    @TempDir
    Path tmp;

    private Shim.Result install(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("sh", SCRIPT.toString(), "--binary", Shim.BINARY.toString()));
        cmd.addAll(List.of(args));
        var full = new java.util.HashMap<>(env);
        full.put("PATH", "/usr/bin:/bin");
        return Shim.exec(cmd, full, new byte[0]);
    }

    private Shim.Result install(String... args) {
        return install(Map.of(), concat(new String[] {"--bin-dir", tmp.resolve("bin").toString(), "--conf-dir", tmp.resolve("net.d").toString()}, args));
    }

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    private Path bin() { return tmp.resolve("bin/twill-cni"); }

    private Path conf() { return tmp.resolve("net.d/05-twill.conflist"); }

    private Object inode(Path p) throws Exception {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    @Test
    void installsBothFilesAtomicallyAndIdempotently() throws Exception {
        Shim.Result first = install();
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.stdout()).contains("installed " + bin(), "installed " + conf());
        assertThat(Files.mismatch(bin(), Shim.BINARY)).isEqualTo(-1);
        assertThat(Files.mismatch(conf(), DIST.resolve("05-twill.conflist"))).isEqualTo(-1);
        assertThat(Files.getPosixFilePermissions(bin())).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Files.getPosixFilePermissions(conf())).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        try (Stream<Path> s = Stream.concat(Files.list(tmp.resolve("bin")), Files.list(tmp.resolve("net.d")))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("twill-cni", "05-twill.conflist");
        }
        Object binInode = inode(bin()), confInode = inode(conf());

        Shim.Result again = install();
        assertThat(again.exit()).isZero();
        assertThat(again.stdout()).contains("unchanged " + bin(), "unchanged " + conf());
        assertThat(inode(bin())).isEqualTo(binInode);
        assertThat(inode(conf())).isEqualTo(confInode);
    }

    @Test
    void replacesAnOldBinaryByRenameAndTheInstalledOneWorks() throws Exception {
        Files.createDirectories(bin().getParent());
        Files.writeString(bin(), "old");
        Object old = inode(bin());
        assertThat(install().exit()).isZero();
        assertThat(inode(bin())).isNotEqualTo(old);
        Shim.Result v = Shim.exec(List.of(bin().toString()), Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}".getBytes());
        assertThat(v.stdout()).contains("supportedVersions");
    }

    @Test
    void setsTheAgentSocketAndTheResultIsAConfigTheEngineAccepts() throws Exception {
        Shim.Result r = install("--agent-socket", "/run/twill-node1/twill.sock");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode list = NetConfParser.MAPPER.readTree(conf().toFile());
        assertThat(list.path("cniVersion").asText()).isEqualTo("1.0.0");
        assertThat(list.path("plugins")).hasSize(1);
        // what a runtime hands the plugin: the plugin object plus the list's name and cniVersion
        ObjectNode plugin = (ObjectNode) list.path("plugins").get(0).deepCopy();
        plugin.put("cniVersion", list.path("cniVersion").asText());
        plugin.put("name", list.path("name").asText());
        NetConf c = NetConfParser.parse(plugin);
        assertThat(c.type()).isEqualTo("twill-cni");
        assertThat(c.agentSocket()).isEqualTo(Path.of("/run/twill-node1/twill.sock"));
        assertThat(c.name()).isEqualTo("twill");
    }

    @Test
    void honoursEnvironmentOverrides() {
        Shim.Result r = install(Map.of("CNI_BIN_DIR", tmp.resolve("b2").toString(), "CNI_CONF_DIR", tmp.resolve("c2").toString()));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(tmp.resolve("b2/twill-cni")).isExecutable();
        assertThat(tmp.resolve("c2/05-twill.conflist")).exists();
    }

    @Test
    void refusesBadInputBeforeTouchingAnything() throws Exception {
        Shim.Result badSocket = install("--agent-socket", "relative.sock");
        assertThat(badSocket.exit()).isNotZero();
        assertThat(badSocket.stderr()).contains("--agent-socket must be an absolute path");
        assertThat(bin()).doesNotExist();

        Path broken = tmp.resolve("broken");
        Files.writeString(broken, "#!/bin/sh\nexit 3\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwxr-xr-x"));
        Shim.Result r = Shim.exec(List.of("sh", SCRIPT.toString(), "--binary", broken.toString(), "--bin-dir",
                tmp.resolve("bin").toString(), "--conf-dir", tmp.resolve("net.d").toString()), Map.of("PATH", "/usr/bin:/bin"), new byte[0]);
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("does not run");
        assertThat(bin()).doesNotExist();
        assertThat(conf()).doesNotExist();
        try (Stream<Path> s = Files.list(tmp.resolve("bin"))) {
            assertThat(s).isEmpty(); // the temporary copy is gone too
        }
    }
}
