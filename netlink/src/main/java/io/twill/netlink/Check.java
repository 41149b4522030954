package io.twill.netlink;

import io.twill.types.Ipv4;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;

/** Validation shared by the records, so bad input is refused with the field's name before the kernel sees it. */
final class Check {
    private Check() {}

    static final int IFNAMSIZ = 16;
    static final int MIN_MTU = 68, MAX_MTU = 65535;

    /** An interface name as the kernel's dev_valid_name accepts it. */
    static String ifName(String field, String name) {
        if (name == null) throw new IllegalArgumentException(field + ": interface name is missing");
        if (name.isEmpty()) throw new IllegalArgumentException(field + ": interface name is empty");
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes >= IFNAMSIZ) {
            throw new IllegalArgumentException(field + ": interface name '" + name + "' is " + bytes
                    + " bytes long; at most " + (IFNAMSIZ - 1) + " are allowed");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException(field + ": '" + name + "' is not a valid interface name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c == 0) {
                throw new IllegalArgumentException(field + ": interface name '" + name
                        + "' contains '" + (Character.isWhitespace(c) ? "whitespace" : String.valueOf(c)) + "'");
            }
        }
        return name;
    }

    /** An MTU in 68..65535; 0 allowed when {@code zeroMeansDefault}. */
    static int mtu(String field, int mtu, boolean zeroMeansDefault) {
        if (zeroMeansDefault && mtu == 0) return 0;
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException(field + ": MTU " + mtu + " is out of range " + MIN_MTU + ".." + MAX_MTU
                    + (zeroMeansDefault ? " (0 = kernel default)" : ""));
        }
        return mtu;
    }

    static int prefixLength(String field, int len) {
        if (len < 0 || len > 32) throw new IllegalArgumentException(field + ": IPv4 prefix length " + len + " is not in 0..32");
        return len;
    }

    static int ifindex(String field, int ifindex) {
        if (ifindex <= 0) throw new IllegalArgumentException(field + ": interface index " + ifindex + " must be positive");
        return ifindex;
    }

    static int port(String field, int port) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException(field + ": UDP port " + port + " is not in 1..65535");
        return port;
    }

    static int parseInt(String s, String field) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": '" + s + "' is not a number");
        }
    }

    /** Parses a dotted-quad IPv4 literal without any name lookup ({@link Ipv4#parse}), naming the field. */
    static Inet4Address inet4(String s, String field) {
        try {
            return Ipv4.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }
}
