package io.twill.agent.ctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A per-test pin root on the host's bpffs ({@code /sys/fs/bpf/twill-it-<hint>-<random>}); {@link #close()} removes
 * it with every pin in it, so nothing outlives the test.
 */
public final class TestPinRoot implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path path;

    public TestPinRoot(String hint) {
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        path = Path.of("/sys/fs/bpf").resolve("twill-it-" + hint + "-" + HexFormat.of().formatHex(r));
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create pin root " + path + " (is /sys/fs/bpf a bpffs?)", e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> s = Files.walk(path)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove pin root " + path, e);
        }
    }
}
