package io.twill.cni.result;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** IP literal parsing (never a DNS lookup) and RFC 5952 printing. */
public final class Ips {
    private Ips() {}

    /** Parses an IPv4 or IPv6 literal; IllegalArgumentException for anything else (host names included). */
    public static InetAddress parseAddress(String text) {
        if (text == null || text.isEmpty()) throw new IllegalArgumentException("empty IP address");
        if (text.indexOf('%') >= 0) throw new IllegalArgumentException("\"" + text + "\": zone ids are not allowed");
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address");
        }
    }

    /** Dotted quad for IPv4, RFC 5952 (lower case, longest zero run compressed) for IPv6. */
    public static String format(InetAddress address) {
        if (address instanceof Inet4Address) return address.getHostAddress();
        if (!(address instanceof Inet6Address)) throw new IllegalArgumentException("not an IP address: " + address);
        byte[] b = address.getAddress();
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && words[j] == 0) j++;
            if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(words[i]));
        }
        return sb.toString();
    }
}
