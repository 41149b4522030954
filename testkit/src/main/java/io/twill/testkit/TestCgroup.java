package io.twill.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A child cgroup made for one test under the cgroup v2 mount (found in /proc/self/mountinfo: /sys/fs/cgroup on a
 * pure v2 host, /sys/fs/cgroup/unified on a hybrid one), for attaching cgroup BPF programs without touching any
 * process but the test's own. Commands started through {@link #wrap} run inside it. {@link #close()} moves whatever
 * is still inside out to the parent, kills it (only the test's own processes can be there) and removes the
 * directory, which also ends every link still attached to it.
 */
public final class TestCgroup implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path dir;

    private TestCgroup(Path dir) {
        this.dir = dir;
    }

    /** Creates {@code <cgroup2 mount>/twill-it-<hint>-<random>}. */
    public static TestCgroup create(String hint) {
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        Path d = cgroup2Mount().resolve("twill-it-" + hint + "-" + HexFormat.of().formatHex(r));
        try {
            Files.createDirectory(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cgroup " + d, e);
        }
        return new TestCgroup(d);
    }

    /** Where the cgroup v2 hierarchy is mounted. */
    public static Path cgroup2Mount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                for (int i = 6; i < f.length - 1; i++) {
                    if (f[i].equals("-") && f[i + 1].equals("cgroup2")) return Path.of(f[4]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no cgroup2 filesystem is mounted (see /proc/self/mountinfo)");
    }

    public Path path() { return dir; }

    /** {@code command} wrapped so that it runs inside this cgroup: the shell joins it, then execs the command. */
    public List<String> wrap(String... command) {
        List<String> full = new ArrayList<>(List.of("sh", "-c", "echo $$ > '" + dir.resolve("cgroup.procs")
                + "' && exec \"$@\"", "sh"));
        full.addAll(List.of(command));
        return full;
    }

    /** The pids inside. */
    public List<String> pids() {
        try {
            return Files.readAllLines(dir.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (!Files.exists(dir)) return;
        for (String pid : pids()) {
            try {
                Files.writeString(dir.getParent().resolve("cgroup.procs"), pid);
            } catch (IOException e) {
                // it exited meanwhile
            }
            Cmd.tryRun("kill", "-9", pid);
        }
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                Files.delete(dir);
                return;
            } catch (IOException e) {
                last = e; // EBUSY until the kernel has let the last task go
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new UncheckedIOException("cannot remove cgroup " + dir, last);
    }

    @Override
    public String toString() {
        return "cgroup " + dir;
    }
}
