package io.twill.maps.snat;

import io.twill.maps.Fields;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct nonmasq_info} (bpf-src/src/lib/nat.h): the value of a non-masquerade network.
 *
 * @param flags {@code __u32}, reserved: must be 0
 */
public record NonMasqInfo(long flags) {
    public static final NonMasqInfo NONE = new NonMasqInfo(0);

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("flags")).withName("nonmasq_info");

    public NonMasqInfo {
        Protocols.checkUnsigned("nonmasq_info.flags", flags, 32);
    }

    public static NonMasqInfo read(MemorySegment s) {
        return new NonMasqInfo(Fields.u32(s, 0));
    }

    public void write(MemorySegment s) {
        Fields.u32(s, 0, flags);
    }

    @Override
    public String toString() {
        return flags == 0 ? "-" : "flags=0x" + Long.toHexString(flags);
    }
}
