package io.twill.cni.result;

import com.fasterxml.jackson.databind.JsonNode;
import io.twill.cni.CniException;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of optional/required JSON fields that fail with {@link CniException#INVALID_NETWORK_CONFIG} naming
 * the field by its path ({@code prevResult.ips[0].address}) and what was found there.
 */
public final class JsonFields {
    private JsonFields() {}

    public static String path(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    public static CniException invalid(String path, String problem) {
        return CniException.invalidConfig(path + ": " + problem);
    }

    /** A short rendering of a JSON value for error messages. */
    public static String show(JsonNode n) {
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    public static JsonNode requireObject(JsonNode n, String path) {
        if (!n.isObject()) throw invalid(path, "expected an object, got " + show(n));
        return n;
    }

    /** The string at {@code obj.field}; null if absent or JSON null. */
    public static String optString(JsonNode obj, String field, String parent) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw invalid(path(parent, field), "expected a string, got " + show(n));
        return n.textValue();
    }

    public static String requireString(JsonNode obj, String field, String parent) {
        String s = optString(obj, field, parent);
        if (s == null) throw invalid(path(parent, field), "missing required field");
        if (s.isEmpty()) throw invalid(path(parent, field), "must not be empty");
        return s;
    }

    /** A non-negative integer at {@code obj.field} no larger than {@code max}; null if absent. */
    public static Integer optInt(JsonNode obj, String field, String parent, long max) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0 || n.longValue() > max) {
            throw invalid(path(parent, field), "expected an integer from 0 to " + max + ", got " + show(n));
        }
        return (int) n.longValue();
    }

    public static Boolean optBoolean(JsonNode obj, String field, String parent) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isBoolean()) throw invalid(path(parent, field), "expected true or false, got " + show(n));
        return n.booleanValue();
    }

    /** The array at {@code obj.field}; an empty list if absent. */
    public static List<JsonNode> optArray(JsonNode obj, String field, String parent) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw invalid(path(parent, field), "expected an array, got " + show(n));
        List<JsonNode> out = new ArrayList<>(n.size());
        n.forEach(out::add);
        return out;
    }

    public static List<String> optStringList(JsonNode obj, String field, String parent) {
        List<JsonNode> items = optArray(obj, field, parent);
        List<String> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode n = items.get(i);
            if (!n.isTextual()) throw invalid(path(parent, field) + "[" + i + "]", "expected a string, got " + show(n));
            out.add(n.textValue());
        }
        return out;
    }

    public static IpPrefix requirePrefix(JsonNode obj, String field, String parent) {
        String s = requireString(obj, field, parent);
        try {
            return IpPrefix.parse(s);
        } catch (IllegalArgumentException e) {
            throw invalid(path(parent, field), e.getMessage());
        }
    }

    public static InetAddress optAddress(JsonNode obj, String field, String parent) {
        String s = optString(obj, field, parent);
        if (s == null || s.isEmpty()) return null;
        try {
            return Ips.parseAddress(s);
        } catch (IllegalArgumentException e) {
            throw invalid(path(parent, field), e.getMessage());
        }
    }
}
