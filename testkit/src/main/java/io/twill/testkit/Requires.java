package io.twill.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way a test states what the machine must have beyond root (tools, files, kernel features). Locally a missing
 * requirement skips the test with the reason; where the machine is meant to have everything (CI: {@code CI=true} in
 * the environment, or {@code -Dtwill.requirePrivileged=true}) it fails the test instead, so nothing skips silently
 * there. {@link PrivilegedCondition} applies the same rule to root.
 *
 * <pre>{@code
 * Requires.tool("podman", "runc");
 * Requires.kernelFeature("TCX (Linux 6.6)", Features.tcx());
 * Requires.file(Path.of("/usr/lib/cni/portmap"), "the reference CNI plugins (Debian: containernetworking-plugins)");
 * }</pre>
 */
public final class Requires {
    private Requires() {}

    /** True when a missing requirement fails instead of skipping. */
    public static boolean mandatory() {
        return Boolean.getBoolean("twill.requirePrivileged") || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Every named program is on the PATH (or, given with a '/', executable there). */
    public static void tool(String... names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) if (!onPath(n)) missing.add(n);
        that(missing.isEmpty(), "needs " + String.join(", ", missing) + " (make deps)");
    }

    /** {@code path} exists and is executable (tools outside the PATH, such as CNI plugins). */
    public static void file(Path path, String what) {
        that(Files.isExecutable(path), "needs " + path + ": " + what);
    }

    /** A kernel feature the test exercises, e.g. {@code kernelFeature("TCX (Linux 6.6)", Features.tcx())}. */
    public static void kernelFeature(String feature, boolean present) {
        that(present, "the kernel lacks " + feature);
    }

    /** The general form: {@code ok}, or skip (locally) / fail (CI) with {@code why}. */
    public static void that(boolean ok, String why) {
        if (ok) return;
        if (mandatory()) {
            Assertions.fail("requirement not met: " + why + " (CI=true or -Dtwill.requirePrivileged=true makes this a failure)");
        }
        Assumptions.abort("skipped: " + why);
    }

    static boolean onPath(String name) {
        if (name.contains("/")) return Files.isExecutable(Path.of(name));
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return true;
        }
        return false;
    }
}
