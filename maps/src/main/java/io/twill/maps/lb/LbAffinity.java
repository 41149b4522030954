package io.twill.maps.lb;

import io.twill.maps.Fields;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct lb_affinity} (bpf-src/src/lib/lb.h): the backend a client keeps, and when it last used it.
 *
 * @param backendId {@code __u32}
 * @param lastUsed  {@code __u32}: CLOCK_MONOTONIC seconds
 */
public record LbAffinity(long backendId, long lastUsed) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("backend_id"),
            JAVA_INT.withName("last_used")
    ).withName("lb_affinity");

    public LbAffinity {
        Protocols.checkUnsigned("lb_affinity.backend_id", backendId, 32);
        Protocols.checkUnsigned("lb_affinity.last_used", lastUsed, 32);
    }

    public static LbAffinity read(MemorySegment s) {
        return new LbAffinity(Fields.u32(s, 0), Fields.u32(s, 4));
    }

    public void write(MemorySegment s) {
        Fields.u32(s, 0, backendId);
        Fields.u32(s, 4, lastUsed);
    }

    @Override
    public String toString() {
        return "backend=" + backendId + " last_used=" + lastUsed;
    }
}
