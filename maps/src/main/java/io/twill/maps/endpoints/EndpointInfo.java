package io.twill.maps.endpoints;

import io.twill.maps.Fields;
import io.twill.types.MacAddress;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct endpoint_info} (bpf-src/src/lib/endpoints.h): where a local pod lives.
 *
 * @param ifindex    host-side (lxc) veth ifindex, {@code __u32}
 * @param endpointId agent-assigned endpoint id, {@code __u16}
 * @param flags      {@code ENDPOINT_F_*} bits, {@code __u16}
 * @param mac        the pod's eth0 MAC (destination of delivered frames)
 * @param nodeMac    the lxc MAC (source of delivered frames; what the gateway ARP responder answers)
 */
public record EndpointInfo(int ifindex, int endpointId, int flags, MacAddress mac, MacAddress nodeMac) {
    /** {@code ENDPOINT_F_HOST}: an address of the node itself; packets to it go to the host stack. */
    public static final int F_HOST = 0x1;
    /** Every flag bit the datapath knows. */
    public static final int KNOWN_FLAGS = F_HOST;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("ifindex"),
            JAVA_SHORT.withName("endpoint_id"),
            JAVA_SHORT.withName("flags"),
            MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("mac"),
            MemoryLayout.sequenceLayout(2, JAVA_BYTE).withName("pad1"),
            MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("node_mac"),
            MemoryLayout.sequenceLayout(2, JAVA_BYTE).withName("pad2")
    ).withName("endpoint_info");

    private static final long IFINDEX = off("ifindex"), ID = off("endpoint_id"), FLAGS = off("flags"),
            MAC = off("mac"), NODE_MAC = off("node_mac");

    public EndpointInfo {
        Objects.requireNonNull(mac, "endpoint_info.mac");
        Objects.requireNonNull(nodeMac, "endpoint_info.node_mac");
        if (ifindex < 0) throw new IllegalArgumentException("endpoint_info.ifindex " + ifindex + " is negative");
        if (endpointId < 0 || endpointId > 0xFFFF) {
            throw new IllegalArgumentException("endpoint_info.endpoint_id " + endpointId + " outside 0..65535");
        }
        if (flags < 0 || flags > 0xFFFF) throw new IllegalArgumentException("endpoint_info.flags " + flags + " outside 16 bits");
    }

    /** A pod behind lxc {@code ifindex}. */
    public static EndpointInfo pod(int ifindex, int endpointId, MacAddress podMac, MacAddress lxcMac) {
        return new EndpointInfo(ifindex, endpointId, 0, podMac, lxcMac);
    }

    /** An address of the node itself inside the pod range: delivered to the host stack. */
    public static EndpointInfo host() {
        return new EndpointInfo(0, 0, F_HOST, new MacAddress(0), new MacAddress(0));
    }

    public boolean isHost() {
        return (flags & F_HOST) != 0;
    }

    public static EndpointInfo read(MemorySegment s) {
        return new EndpointInfo((int) Fields.u32(s, IFINDEX), Fields.u16(s, ID), Fields.u16(s, FLAGS),
                Fields.mac(s, MAC), Fields.mac(s, NODE_MAC));
    }

    public void write(MemorySegment s) {
        s.asSlice(0, LAYOUT.byteSize()).fill((byte) 0);
        Fields.u32(s, IFINDEX, ifindex);
        Fields.u16(s, ID, endpointId);
        Fields.u16(s, FLAGS, flags);
        Fields.mac(s, MAC, mac);
        Fields.mac(s, NODE_MAC, nodeMac);
    }

    /**
     * Null when the datapath can use this value, else why not: a pod entry needs a device, an id and two unicast,
     * non-zero MACs; a host entry needs none of them; unknown flag bits are refused.
     */
    public String problem() {
        if ((flags & ~KNOWN_FLAGS) != 0) return "unknown flag bits 0x" + Integer.toHexString(flags & ~KNOWN_FLAGS);
        if (isHost()) return null;
        if (ifindex == 0) return "ifindex 0 is not a device (the host-side lxc veth is needed)";
        if (endpointId == 0) return "endpoint_id 0 is reserved";
        if (mac.isZero() || mac.isMulticast()) return "pod mac " + mac + " is not a unicast address";
        if (nodeMac.isZero() || nodeMac.isMulticast()) return "node_mac " + nodeMac + " is not a unicast address";
        return null;
    }

    private static long off(String name) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    @Override
    public String toString() {
        if (isHost() && ifindex == 0) return "host flags=" + flagNames();
        return "ifindex=" + Integer.toUnsignedString(ifindex) + " id=" + endpointId + " mac=" + mac
                + " node_mac=" + nodeMac + " flags=" + flagNames();
    }

    private String flagNames() {
        if (flags == 0) return "-";
        StringBuilder sb = new StringBuilder();
        if (isHost()) sb.append("host");
        int rest = flags & ~KNOWN_FLAGS;
        if (rest != 0) sb.append(sb.isEmpty() ? "" : ",").append("0x").append(Integer.toHexString(rest));
        return sb.toString();
    }
}
