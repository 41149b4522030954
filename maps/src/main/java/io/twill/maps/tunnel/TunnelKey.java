package io.twill.maps.tunnel;

import io.twill.maps.Fields;
import io.twill.types.Ipv4Prefix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct tunnel_key} (bpf-src/src/lib/tunnel.h): an LPM-trie key, a pod CIDR.
 *
 * @param cidr the pod CIDR ({@code __u32 prefixlen} + {@code __be32 addr})
 */
public record TunnelKey(Ipv4Prefix cidr) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("prefixlen"),
            Fields.BE32.withName("addr")
    ).withName("tunnel_key");

    public TunnelKey {
        Objects.requireNonNull(cidr, "tunnel_key.cidr");
    }

    public static TunnelKey of(String cidr) {
        return new TunnelKey(Ipv4Prefix.parse(cidr));
    }

    /** Reads a key; bits beyond the prefix (which the trie ignores) are cleared. */
    public static TunnelKey read(MemorySegment s) {
        int len = (int) Fields.u32(s, 0);
        if (len > 32) throw new IllegalStateException("tunnel_key.prefixlen " + len + " read from the kernel is > 32");
        return new TunnelKey(Ipv4Prefix.containing(Fields.ipv4(s, 4), len));
    }

    public void write(MemorySegment s) {
        Fields.u32(s, 0, cidr.length());
        Fields.ipv4(s, 4, cidr.address());
    }

    @Override
    public String toString() {
        return cidr.toString();
    }
}
