package io.twill.cni.result;

import java.util.Locale;
import java.util.regex.Pattern;

/** Ethernet MAC addresses as CNI writes them: six colon-separated hex octets, lower case. */
public final class Macs {
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

    /** Any link-layer address: 1 to 32 colon-separated hex octets (InfiniBand has 20). */
    private static final Pattern HW = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){0,31}");

    private Macs() {}

    public static boolean isValid(String text) {
        return text != null && MAC.matcher(text).matches();
    }

    /** Validates a link-layer address of any length (as other plugins may report) and lower-cases it. */
    public static String normalizeHardwareAddress(String text) {
        if (text == null || !HW.matcher(text).matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a hardware address (colon-separated hex octets)");
        }
        return text.toLowerCase(Locale.ROOT);
    }

    /** Validates and lower-cases; IllegalArgumentException when it is not six hex octets. */
    public static String normalize(String text) {
        if (!isValid(text)) throw new IllegalArgumentException("\"" + text + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
        return text.toLowerCase(Locale.ROOT);
    }
}
