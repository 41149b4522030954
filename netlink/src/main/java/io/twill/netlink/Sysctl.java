package io.twill.netlink;

import io.twill.types.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Networking sysctls as the files under {@code /proc/sys/net} they are. The kernel resolves those files against the
 * network namespace of the <em>calling thread</em>: call these on a thread inside the namespace you mean (the agent's
 * own, or inside {@link NetNs#call}); {@link #write(Path, String, String)} does that for you.
 *
 * <p>Keys are dotted ({@code net.ipv4.ip_forward}) or slashed ({@code net/ipv4/conf/eth0.100/rp_filter}; use the
 * slashed form when an interface name contains a dot). Only keys under {@code net} are accepted.
 */
public final class Sysctl {
    private static final Path ROOT = Path.of("/proc/sys");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.@-]+");

    private Sysctl() {}

    /** Writes {@code value} to the key in the calling thread's namespace. */
    public static void write(String key, String value) {
        Path p = path(key);
        try {
            Files.writeString(p, value + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new NetlinkException("sysctl write", key, Errno.ENOENT, "no such sysctl " + p);
        } catch (IOException e) {
            throw new NetlinkException("sysctl write", key, errnoOf(e), "cannot write '" + value + "' to " + p + ": " + e.getMessage());
        }
    }

    /** Writes {@code value} to the key inside the namespace at {@code netns}. */
    public static void write(Path netns, String key, String value) {
        path(key);
        NetNs.run(netns, () -> write(key, value));
    }

    /** The key's value (trimmed) in the calling thread's namespace, or empty when there is no such key. */
    public static Optional<String> read(String key) {
        Path p = path(key);
        try {
            return Optional.of(Files.readString(p, StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NetlinkException("sysctl read", key, errnoOf(e), "cannot read " + p + ": " + e.getMessage());
        }
    }

    /** The file of a key, validated. */
    static Path path(String key) {
        if (key == null || key.isBlank()) throw new IllegalArgumentException("sysctl key: empty");
        String[] parts = key.contains("/") ? key.split("/") : key.split("\\.");
        if (!parts[0].equals("net")) throw new IllegalArgumentException("sysctl key: '" + key + "' is not under net");
        Path p = ROOT;
        for (String part : parts) {
            if (!SEGMENT.matcher(part).matches() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("sysctl key: '" + key + "' has an invalid part '" + part + "'");
            }
            p = p.resolve(part);
        }
        return p;
    }

    private static int errnoOf(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Permission denied")) return Errno.EACCES;
        if (m.contains("Invalid argument")) return Errno.EINVAL;
        if (m.contains("Operation not permitted")) return Errno.EPERM;
        return Errno.EIO;
    }
}
