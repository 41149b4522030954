package io.twill.agent.endpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Host-side device names: {@code lxc} + the first 12 hex digits of SHA-256(containerId "/" ifname), 15 bytes,
 * the most Linux allows. Deterministic, so DEL and restart find the device without state.
 */
public final class LxcNames {
    public static final String PREFIX = "lxc";

    private LxcNames() {}

    public static String hostIfname(EndpointKey key) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] h = d.digest((key.containerId() + "/" + key.ifname()).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is part of every JDK", e);
        }
    }

    /** Whether {@code name} looks like a device Twill made (restart uses it to find leftovers). */
    public static boolean isLxc(String name) {
        return name.length() == PREFIX.length() + 12 && name.startsWith(PREFIX)
                && name.substring(PREFIX.length()).chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
}
