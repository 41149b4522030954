package io.twill.datapath;

import io.twill.bpf.TcAttachment;
import io.twill.bpf.TcDirection;

/**
 * What {@link Datapath} attached where. The attachment itself belongs to the kernel (a pinned TCX link or a cls_bpf
 * filter), not to a Java object: nothing to close, and it stays when the agent stops.
 *
 * @param program   the program name, e.g. {@code from_container}
 * @param ifindex   the device
 * @param direction ingress or egress
 * @param kind      TCX or CLS_BPF
 * @param programId the kernel's id of the program now running there
 */
public record Attached(String program, int ifindex, TcDirection direction, TcAttachment.Kind kind, int programId) {
    @Override
    public String toString() {
        return program + " on ifindex " + Integer.toUnsignedString(ifindex) + " " + direction + " ("
                + kind.name().toLowerCase() + ", prog id " + programId + ")";
    }
}
