package io.twill.datapath;

import io.twill.testkit.Cmd;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Per-test pin roots on the host's bpffs: {@code /sys/fs/bpf/twill-it-<random>}, removed (maps and link pins with
 * them) after each test (or after the class, when registered static), pass or fail. Mounts the bpffs at /sys/fs/bpf first if the machine has none there (the
 * standard location; systemd does the same at boot).
 */
final class PinRoots implements AfterEachCallback, AfterAllCallback {
    static final Path BPFFS = Path.of("/sys/fs/bpf");
    private static final SecureRandom RANDOM = new SecureRandom();
    private final List<Path> made = new ArrayList<>();

    synchronized Path create(String hint) {
        ensureBpffs();
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        Path p = BPFFS.resolve("twill-it-" + hint + "-" + HexFormat.of().formatHex(r));
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        made.add(p);
        return p;
    }

    static synchronized void ensureBpffs() {
        try {
            boolean mounted = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" "))
                    .anyMatch(f -> f.length > 9 && f[4].equals(BPFFS.toString()) && l(f).equals("bpf"));
            if (!mounted) Cmd.run("mount", "-t", "bpf", "bpf", BPFFS.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The filesystem type of a mountinfo line (after the " - " separator). */
    private static String l(String[] f) {
        for (int i = 6; i < f.length - 1; i++) if (f[i].equals("-")) return f[i + 1];
        return "";
    }

    @Override
    public void afterAll(ExtensionContext context) {
        removeAll();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        removeAll();
    }

    synchronized void removeAll() {
        List<String> failures = new ArrayList<>();
        for (Path root : made) {
            if (!Files.exists(root)) continue;
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException e) {
                failures.add(root + ": " + e);
            }
        }
        made.clear();
        if (!failures.isEmpty()) throw new IllegalStateException("could not remove pin roots: " + failures);
    }
}
