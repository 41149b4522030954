package io.twill.types;

import java.net.Inet4Address;

/**
 * An IPv4 network such as {@code 10.244.1.0/24}: the network address as an int (first octet in the top byte, see
 * {@link Ipv4}) and the prefix length. Host bits must be zero ({@code 10.244.1.5/24} is refused, naming the network
 * it probably meant); {@link #containing} is the one way to clear them on purpose. Ordered by address (unsigned),
 * then length. Every pod CIDR, cluster pool, tunnel key and route destination in Twill is one of these.
 *
 * @param network the network address, host bits zero
 * @param length  the prefix length, 0..32
 */
public record Ipv4Prefix(int network, int length) implements Comparable<Ipv4Prefix> {
    /** 0.0.0.0/0, the default route's destination. */
    public static final Ipv4Prefix DEFAULT = new Ipv4Prefix(0, 0);

    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("IPv4 prefix " + Ipv4.format(network) + "/" + length
                    + ": prefix length " + length + " is outside 0..32");
        }
        int mask = Ipv4.mask(length);
        if ((network & ~mask) != 0) {
            throw new IllegalArgumentException("IPv4 prefix " + Ipv4.format(network) + "/" + length
                    + " has host bits set (did you mean " + Ipv4.format(network & mask) + "/" + length + "?)");
        }
    }

    /** The prefix of a network address and a length; host bits must be zero. */
    public Ipv4Prefix(Inet4Address address, int length) {
        this(Ipv4.toInt(address), length);
    }

    /**
     * Parses {@code a.b.c.d/n} strictly: the address as {@link Ipv4#parse} takes it, a decimal length 0..32 without
     * leading zeros, host bits zero, no whitespace. The message names the input in quotes and what is wrong with it.
     */
    public static Ipv4Prefix parse(String text) {
        if (text == null) throw new IllegalArgumentException("IPv4 prefix is missing");
        int slash = text.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("'" + text + "' is not an IPv4 prefix (a.b.c.d/n): no '/'");
        try {
            return new Ipv4Prefix(Ipv4.parseInt(text.substring(0, slash)), parseLength(text.substring(slash + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid IPv4 prefix: " + e.getMessage(), e);
        }
    }

    private static int parseLength(String s) {
        boolean digits = !s.isEmpty() && s.length() <= 2 && s.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || (s.length() > 1 && s.charAt(0) == '0')) {
            throw new IllegalArgumentException("length '" + s + "' is not a number in 0..32");
        }
        return Integer.parseInt(s);
    }

    /** The /32 of one address. */
    public static Ipv4Prefix host(Inet4Address address) {
        return new Ipv4Prefix(address, 32);
    }

    /** The network of the given length that holds {@code address} (its host bits cleared). */
    public static Ipv4Prefix containing(Inet4Address address, int length) {
        return containing(Ipv4.toInt(address), length);
    }

    /** Same for an int address. */
    public static Ipv4Prefix containing(int address, int length) {
        return new Ipv4Prefix(address & Ipv4.mask(length), length);
    }

    /** The network address. */
    public Inet4Address address() {
        return Ipv4.fromInt(network);
    }

    /** The mask as an int ({@code length} leading ones). */
    public int mask() {
        return Ipv4.mask(length);
    }

    /** The mask as an address, e.g. 255.255.0.0 for a /16. */
    public Inet4Address netmask() {
        return Ipv4.fromInt(mask());
    }

    /** How many addresses the prefix holds (2^(32 - length)). */
    public long size() {
        return 1L << (32 - length);
    }

    /** The last address (the broadcast address of a subnet). */
    public int last() {
        return network | ~mask();
    }

    public boolean contains(int address) {
        return (address & mask()) == network;
    }

    public boolean contains(Inet4Address address) {
        return contains(Ipv4.toInt(address));
    }

    /** True when every address of {@code other} is in this prefix. */
    public boolean contains(Ipv4Prefix other) {
        return other.length >= length && contains(other.network);
    }

    public boolean overlaps(Ipv4Prefix other) {
        return contains(other) || other.contains(this);
    }

    /** The address {@code offset} after the network address. */
    public int addressAt(long offset) {
        if (offset < 0 || offset >= size()) throw new IllegalArgumentException("offset " + offset + " is outside " + this);
        return network + (int) offset;
    }

    /** How many /{@code length} blocks this prefix holds. */
    public long subnetCount(int subnetLength) {
        if (subnetLength < length || subnetLength > 32) {
            throw new IllegalArgumentException("/" + subnetLength + " does not fit in " + this);
        }
        return 1L << (subnetLength - length);
    }

    /** The {@code index}-th /{@code subnetLength} block inside this prefix. */
    public Ipv4Prefix subnet(int subnetLength, long index) {
        long count = subnetCount(subnetLength);
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("subnet " + index + " of " + count + " /" + subnetLength + " in " + this);
        }
        return new Ipv4Prefix(network + (int) (index << (32 - subnetLength)), subnetLength);
    }

    /** Inverse of {@link #subnet}: the index of {@code block} among this prefix's blocks of its length. */
    public long indexOf(Ipv4Prefix block) {
        if (!contains(block)) throw new IllegalArgumentException(block + " is not inside " + this);
        return Integer.toUnsignedLong(block.network - network) >>> (32 - block.length);
    }

    @Override
    public int compareTo(Ipv4Prefix o) {
        int c = Integer.compareUnsigned(network, o.network);
        return c != 0 ? c : Integer.compare(length, o.length);
    }

    /** {@code a.b.c.d/n}, what {@link #parse} reads. */
    @Override
    public String toString() {
        return Ipv4.format(network) + "/" + length;
    }
}
