package io.twill.maps.lb;

import io.twill.maps.Fields;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct lb_netns} (bpf-src/src/lib/lb.h): a network namespace whose sockets this node's socket hooks serve
 * (the value of {@code twill_lb_netns}, keyed by the namespace cookie).
 *
 * @param endpointId {@code __u32}: the pod's endpoint id, 0 for the node's own namespace
 */
public record LbNetns(long endpointId) {
    /** The node's own namespace. */
    public static final LbNetns NODE = new LbNetns(0);

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("endpoint_id"),
            JAVA_INT.withName("pad")
    ).withName("lb_netns");

    public LbNetns {
        Protocols.checkUnsigned("lb_netns.endpoint_id", endpointId, 32);
    }

    public static LbNetns read(MemorySegment s) {
        return new LbNetns(Fields.u32(s, 0));
    }

    public void write(MemorySegment s) {
        Fields.u32(s, 0, endpointId);
        Fields.u32(s, 4, 0);
    }

    @Override
    public String toString() {
        return endpointId == 0 ? "node" : "endpoint=" + endpointId;
    }
}
