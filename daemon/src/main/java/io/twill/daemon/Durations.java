package io.twill.daemon;

import java.time.Duration;

/** Durations as people write them in Twill's configuration: {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h}, or ISO-8601. */
public final class Durations {
    private Durations() {}

    /** Reads {@code 250ms}, {@code 15s}, {@code 2m}, {@code 1h}, or ISO-8601 {@code PT15S}; the message quotes bad text. */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) return Duration.parse(t);
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (like 500ms, 15s, 2m, 1h or PT15S)");
        }
    }

    /** The shortest of {@code 250ms}, {@code 15s}, {@code 2m}, {@code 1h} that is exact, else ISO-8601. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (!d.equals(Duration.ofMillis(ms))) return d.toString();
        if (ms % 3_600_000 == 0 && ms != 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms != 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
