package io.twill.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fails a test that leaves more entries in {@code /proc/self/fd} than it found, naming what they point at.
 * Lazily opened jars and the like settle during the first tests, so it waits briefly and compares again
 * before failing.
 */
public final class FdLeakExtension implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FdLeakExtension.class);

    static {
        // The JDK opens /dev/random and /dev/urandom for good on first use (temp directories, SecureRandom):
        // open them now, so the first test of a JVM is not blamed for them.
        new java.security.SecureRandom().nextBytes(new byte[8]);
        try {
            java.nio.file.Files.delete(java.nio.file.Files.createTempFile("twill-fd-warmup", ""));
        } catch (IOException ignored) {
            // no temp dir: nothing was opened either
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("before", openFds());
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        @SuppressWarnings("unchecked")
        TreeMap<Integer, String> before = context.getStore(NS).get("before", TreeMap.class);
        TreeMap<Integer, String> after = openFds();
        for (int i = 0; i < 20 && after.size() > before.size(); i++) {
            Thread.sleep(50);
            after = openFds();
        }
        if (after.size() > before.size()) {
            Set<Integer> fresh = after.keySet().stream().filter(fd -> !before.containsKey(fd)).collect(Collectors.toSet());
            String what = fresh.stream().sorted().map(fd -> fd + " -> " + after_(fd)).collect(Collectors.joining(", "));
            throw new AssertionError("file descriptor leak: " + before.size() + " open before, " + after.size()
                    + " after; new: " + what);
        }
    }

    private static String after_(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /** fd number -> what it points at. */
    public static TreeMap<Integer, String> openFds() {
        TreeMap<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> {
                try {
                    fds.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException | NumberFormatException ignored) {
                    // the fd of the directory listing itself closes while we look
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return fds;
    }

    public static int count() {
        return openFds().size();
    }
}
