package io.twill.maps.lb;

import io.twill.maps.Fields;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct lb_revnat_key} (bpf-src/src/lib/lb.h): a reverse-NAT index, the key of {@code twill_lb_revnat}.
 *
 * @param index {@code __u16}; 0 means "no reverse NAT" in the datapath and is never a key
 */
public record LbRevNatKey(int index) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("index"),
            JAVA_SHORT.withName("pad")
    ).withName("lb_revnat_key");

    public LbRevNatKey {
        Protocols.checkUnsigned("lb_revnat_key.index", index, 16);
    }

    public static LbRevNatKey read(MemorySegment s) {
        return new LbRevNatKey(Fields.u16(s, 0));
    }

    public void write(MemorySegment s) {
        Fields.u16(s, 0, index);
        Fields.u16(s, 2, 0);
    }

    @Override
    public String toString() {
        return Integer.toString(index);
    }
}
