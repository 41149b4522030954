package io.twill.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The {@code --key value} arguments of a bench harness. A bad or missing argument is an IllegalArgumentException naming it. */
public final class Args {
    private final Map<String, String> values;

    private Args(Map<String, String> values) {
        this.values = values;
    }

    public static Args parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("bad argument " + args[i]);
            m.put(args[i].substring(2), args[++i]);
        }
        return new Args(m);
    }

    public String required(String key) {
        String v = values.get(key);
        if (v == null) throw new IllegalArgumentException("--" + key + " is required");
        return v;
    }

    public Path requiredPath(String key) {
        return Path.of(required(key));
    }

    public String or(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public int intOr(String key, int fallback) {
        String v = values.get(key);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a number, got '" + v + "'");
        }
    }

    /** The path, or null when the argument was not given. */
    public Path pathOrNull(String key) {
        String v = values.get(key);
        return v == null ? null : Path.of(v);
    }
}
