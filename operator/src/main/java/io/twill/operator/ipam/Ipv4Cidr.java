package io.twill.operator.ipam;

/**
 * An IPv4 prefix such as {@code 10.0.3.0/24}: the network address (host bits zero) as an unsigned 32-bit value
 * in a long, and the prefix length. {@link #parse} is strict: it rejects host bits, leading zeros, spaces and
 * anything that is not four decimal octets and a length.
 */
public record Ipv4Cidr(long network, int prefix) implements Comparable<Ipv4Cidr> {

    public Ipv4Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix length " + prefix + " is outside 0..32");
        }
        if (network < 0 || network > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("network " + network + " is not a 32-bit address");
        }
        if ((network & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException(formatAddress(network) + "/" + prefix + " has host bits set; the network is "
                    + formatAddress(network & mask(prefix)) + "/" + prefix);
        }
    }

    /** Parses {@code a.b.c.d/n}; the message of the {@link IllegalArgumentException} quotes the input. */
    public static Ipv4Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("CIDR is missing");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR (expected a.b.c.d/len)");
        }
        try {
            long address = parseAddress(text.substring(0, slash));
            int prefix = parseDecimal(text.substring(slash + 1), 32);
            return new Ipv4Cidr(address, prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid IPv4 CIDR: " + e.getMessage(), e);
        }
    }

    /** Parses dotted-quad IPv4 text into an unsigned 32-bit value. */
    public static long parseAddress(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not a dotted-quad IPv4 address");
        }
        long v = 0;
        for (String p : parts) {
            v = (v << 8) | parseDecimal(p, 255);
        }
        return v;
    }

    private static int parseDecimal(String s, int max) {
        if (s.isEmpty() || s.length() > 3 || (s.length() > 1 && s.charAt(0) == '0')) {
            throw new IllegalArgumentException("'" + s + "' is not a number in 0.." + max);
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("'" + s + "' is not a number in 0.." + max);
            }
            v = v * 10 + (c - '0');
        }
        if (v > max) {
            throw new IllegalArgumentException(v + " is larger than " + max);
        }
        return v;
    }

    static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
    }

    public static String formatAddress(long a) {
        return ((a >>> 24) & 0xFF) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    /** Number of addresses. */
    public long size() {
        return 1L << (32 - prefix);
    }

    /** Last address, inclusive. */
    public long last() {
        return network + size() - 1;
    }

    public boolean contains(Ipv4Cidr other) {
        return other.prefix >= prefix && (other.network & mask(prefix)) == network;
    }

    public boolean overlaps(Ipv4Cidr other) {
        return contains(other) || other.contains(this);
    }

    /** How many /{@code maskSize} blocks this prefix holds. */
    public long subnetCount(int maskSize) {
        if (maskSize < prefix || maskSize > 32) {
            throw new IllegalArgumentException("/" + maskSize + " does not fit in " + this);
        }
        return 1L << (maskSize - prefix);
    }

    /** The {@code index}-th /{@code maskSize} block inside this prefix. */
    public Ipv4Cidr subnet(int maskSize, long index) {
        long count = subnetCount(maskSize);
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("subnet " + index + " of " + count + " /" + maskSize + " in " + this);
        }
        return new Ipv4Cidr(network + (index << (32 - maskSize)), maskSize);
    }

    /** Inverse of {@link #subnet}: the index of {@code block} among this prefix's /{@code block.prefix} blocks. */
    public long indexOf(Ipv4Cidr block) {
        if (!contains(block)) {
            throw new IllegalArgumentException(block + " is not inside " + this);
        }
        return (block.network - network) >>> (32 - block.prefix);
    }

    @Override
    public int compareTo(Ipv4Cidr o) {
        int c = Long.compare(network, o.network);
        return c != 0 ? c : Integer.compare(prefix, o.prefix);
    }

    @Override
    public String toString() {
        return formatAddress(network) + "/" + prefix;
    }
}
