package io.twill.maps.snat;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct nonmasq_key} (bpf-src/src/lib/nat.h): an LPM-trie key, a destination network pods reach with their own
 * address.
 *
 * @param cidr {@code __u32 prefixlen} + {@code __be32 addr}
 */
public record NonMasqKey(Ipv4Prefix cidr) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("prefixlen"),
            Fields.BE32.withName("addr")
    ).withName("nonmasq_key");

    public NonMasqKey {
        Objects.requireNonNull(cidr, "nonmasq_key.cidr");
    }

    /** Reads a key; bits beyond the prefix (which the trie ignores) are cleared. */
    public static NonMasqKey read(MemorySegment s) {
        int len = (int) Fields.u32(s, 0);
        if (len > 32) throw new IllegalStateException("nonmasq_key.prefixlen " + len + " read from the kernel is > 32");
        return new NonMasqKey(Ipv4Prefix.containing(Fields.ipv4(s, 4), len));
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
