package io.twill.maps;

import java.util.Locale;

/** IPv4 protocol numbers as the Service, NAT and conntrack maps store them ({@code __u8 proto}). */
public final class Protocols {
    public static final int ICMP = 1, TCP = 6, UDP = 17, SCTP = 132;

    private Protocols() {}

    /** "tcp", "udp", "icmp", "sctp", or the number. */
    public static String name(int proto) {
        return switch (proto) {
            case ICMP -> "icmp";
            case TCP -> "tcp";
            case UDP -> "udp";
            case SCTP -> "sctp";
            default -> Integer.toString(proto);
        };
    }

    /** Parses "tcp"/"udp"/"icmp"/"sctp" (any case) or a number 0..255. */
    public static int parse(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "icmp" -> ICMP;
            case "tcp" -> TCP;
            case "udp" -> UDP;
            case "sctp" -> SCTP;
            default -> {
                try {
                    int p = Integer.parseInt(s.strip());
                    if (p < 0 || p > 255) throw new IllegalArgumentException("protocol " + p + " outside 0..255");
                    yield p;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + s + "' is not a protocol (tcp, udp, icmp or a number)");
                }
            }
        };
    }

    /** Checks a {@code __u8} protocol field. */
    public static int check(String field, int proto) {
        if (proto < 0 || proto > 255) throw new IllegalArgumentException(field + " " + proto + " outside 0..255");
        return proto;
    }

    /** Checks a port (host order in Java, {@code __be16} in the maps). */
    public static int checkPort(String field, int port) {
        if (port < 0 || port > 0xFFFF) throw new IllegalArgumentException(field + " " + port + " outside 0..65535");
        return port;
    }

    /** Checks an unsigned field of {@code bits} bits held in an int or long. */
    public static long checkUnsigned(String field, long value, int bits) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << bits) - 1;
        if (bits != 64 && (value < 0 || value > max)) {
            throw new IllegalArgumentException(field + " " + value + " outside 0.." + max);
        }
        return value;
    }

    /** "a.b.c.d:port", or just the address when the port is 0. */
    public static String endpoint(java.net.Inet4Address a, int port) {
        return a.getHostAddress() + (port != 0 ? ":" + port : "");
    }
}
