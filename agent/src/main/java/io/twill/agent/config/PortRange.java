package io.twill.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An inclusive range of ports written "min-max" (e.g. the NodePort range "30000-32767"), both in 1..65535.
 */
public record PortRange(int min, int max) {
    public PortRange {
        if (min < 1 || max > 65535 || min > max) {
            throw new ConfigException("port range " + min + "-" + max + " must satisfy 1 <= min <= max <= 65535");
        }
    }

    /** Parses "min-max"; the message names {@code key}. */
    public static PortRange parse(String key, String text) {
        String s = text == null ? "" : text.strip();
        int dash = s.indexOf('-');
        if (dash <= 0 || dash == s.length() - 1) {
            throw new ConfigException(key + " '" + text + "' is not a port range like 30000-32767");
        }
        try {
            return new PortRange(Integer.parseInt(s.substring(0, dash).strip()), Integer.parseInt(s.substring(dash + 1).strip()));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " '" + text + "' is not a port range like 30000-32767");
        } catch (ConfigException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    @JsonCreator
    static PortRange fromJson(String text) {
        return parse("port range", text);
    }

    public int size() {
        return max - min + 1;
    }

    public boolean overlaps(PortRange o) {
        return min <= o.max && o.min <= max;
    }

    @JsonValue
    @Override
    public String toString() {
        return min + "-" + max;
    }
}
