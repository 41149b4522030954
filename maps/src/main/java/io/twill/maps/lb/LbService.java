package io.twill.maps.lb;

import io.twill.maps.Fields;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct lb_service} (bpf-src/src/lib/lb.h): the value of a {@code twill_lb_services} slot. In slot 0 it
 * describes the service ({@code count}, {@code revNatIndex}, {@code flags}, {@code affinityTimeout}; backendId 0); in
 * slot i (1..count) only {@code backendId} is set: the i-th backend.
 *
 * @param backendId       {@code __u32}: slot &gt; 0, the backend in that slot
 * @param affinityTimeout {@code __u32}: slot 0 with {@link #F_AFFINITY}, seconds a client keeps its backend
 * @param count           {@code __u16}: slot 0, number of backend slots (0: the frontend refuses connections)
 * @param revNatIndex     {@code __u16}: slot 0, the twill_lb_revnat index of this frontend
 * @param flags           {@code __u8}: slot 0, {@code LB_F_*}
 */
public record LbService(long backendId, long affinityTimeout, int count, int revNatIndex, int flags) {
    /** {@code LB_SCOPE_ANY}: the frontend as everyone but external clients of Local services sees it. */
    public static final int SCOPE_ANY = 0;
    /** {@code LB_SCOPE_EXTERNAL}: the twin external clients of an externalTrafficPolicy: Local service see. */
    public static final int SCOPE_EXTERNAL = 1;

    /** {@code LB_F_CLUSTER_IP}: a ClusterIP frontend. */
    public static final int F_CLUSTER_IP = 0x01;
    /** {@code LB_F_NODEPORT}: a NodePort frontend on one of this node's addresses. */
    public static final int F_NODEPORT = 0x02;
    /** {@code LB_F_EXTERNAL_IP}: an externalIPs / LoadBalancer ingress frontend. */
    public static final int F_EXTERNAL_IP = 0x04;
    /** {@code LB_F_AFFINITY}: sessionAffinity: ClientIP for {@code affinityTimeout} seconds. */
    public static final int F_AFFINITY = 0x08;
    /** {@code LB_F_LOCAL}: externalTrafficPolicy: Local (external traffic uses the {@link #SCOPE_EXTERNAL} twin). */
    public static final int F_LOCAL = 0x10;
    /** The frontend kinds; a service has exactly one. */
    public static final int KINDS = F_CLUSTER_IP | F_NODEPORT | F_EXTERNAL_IP;
    public static final int KNOWN_FLAGS = 0x1F;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("backend_id"),
            JAVA_INT.withName("affinity_timeout"),
            JAVA_SHORT.withName("count"),
            JAVA_SHORT.withName("rev_nat_index"),
            JAVA_BYTE.withName("flags"),
            MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("pad")
    ).withName("lb_service");

    public LbService {
        Protocols.checkUnsigned("lb_service.backend_id", backendId, 32);
        Protocols.checkUnsigned("lb_service.affinity_timeout", affinityTimeout, 32);
        Protocols.checkUnsigned("lb_service.count", count, 16);
        Protocols.checkUnsigned("lb_service.rev_nat_index", revNatIndex, 16);
        Protocols.checkUnsigned("lb_service.flags", flags, 8);
    }

    /** The slot-0 value of a service. */
    public static LbService service(int count, int revNatIndex, int flags, long affinityTimeout) {
        return new LbService(0, affinityTimeout, count, revNatIndex, flags);
    }

    /** The value of a backend slot. */
    public static LbService backend(long backendId) {
        return new LbService(backendId, 0, 0, 0, 0);
    }

    /** "ClusterIP", "NodePort", "ExternalIP" (or a combination / "-"), as twillctl service list shows it. */
    public String kind() {
        List<String> k = new ArrayList<>();
        if ((flags & F_CLUSTER_IP) != 0) k.add("ClusterIP");
        if ((flags & F_NODEPORT) != 0) k.add("NodePort");
        if ((flags & F_EXTERNAL_IP) != 0) k.add("ExternalIP");
        return k.isEmpty() ? "-" : String.join("+", k);
    }

    /** Flag names: "clusterip", "nodeport", "externalip", "affinity", "local", unknown bits in hex. */
    public List<String> flagNames() {
        String[] names = {"clusterip", "nodeport", "externalip", "affinity", "local"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.length; i++) if ((flags & (1 << i)) != 0) out.add(names[i]);
        if ((flags & ~KNOWN_FLAGS) != 0) out.add("0x" + Integer.toHexString(flags & ~KNOWN_FLAGS));
        return out;
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /**
     * Null when this value fits slot {@code slot}, else why not: slot 0 needs exactly one frontend kind, a reverse-NAT
     * index when it has backends, an affinity timeout with {@link #F_AFFINITY}, no backend id; a backend slot carries
     * only its backend id, which must not be 0.
     */
    public String problem(int slot) {
        if (slot == 0) {
            if (backendId != 0) return "slot 0 carries backend_id " + backendId + " (only backend slots do)";
            if ((flags & ~KNOWN_FLAGS) != 0) return "unknown flag bits 0x" + Integer.toHexString(flags & ~KNOWN_FLAGS);
            if (Integer.bitCount(flags & KINDS) != 1) {
                return "flags " + flagNames() + " must name exactly one frontend kind (clusterip, nodeport, externalip)";
            }
            if (count > 0 && revNatIndex == 0) return "count " + count + " with rev_nat_index 0 (replies could not be translated)";
            if (has(F_AFFINITY) && affinityTimeout == 0) return "affinity without a timeout";
            if (!has(F_AFFINITY) && affinityTimeout != 0) return "affinity_timeout " + affinityTimeout + " without the affinity flag";
            return null;
        }
        if (backendId == 0) return "backend slot " + slot + " with backend_id 0";
        if (count != 0 || revNatIndex != 0 || flags != 0 || affinityTimeout != 0) {
            return "backend slot " + slot + " carries service fields (" + this + ")";
        }
        return null;
    }

    public static LbService read(MemorySegment s) {
        return new LbService(Fields.u32(s, 0), Fields.u32(s, 4), Fields.u16(s, 8), Fields.u16(s, 10), Fields.u8(s, 12));
    }

    public void write(MemorySegment s) {
        Fields.u32(s, 0, backendId);
        Fields.u32(s, 4, affinityTimeout);
        Fields.u16(s, 8, count);
        Fields.u16(s, 10, revNatIndex);
        Fields.u8(s, 12, flags);
        Fields.u8(s, 13, 0);
        Fields.u8(s, 14, 0);
        Fields.u8(s, 15, 0);
    }

    @Override
    public String toString() {
        if (backendId != 0 && count == 0 && revNatIndex == 0 && flags == 0 && affinityTimeout == 0) {
            return "backend=" + backendId;
        }
        return "count=" + count + " revnat=" + revNatIndex + " flags=" + (flags == 0 ? "-" : String.join(",", flagNames()))
                + (affinityTimeout != 0 ? " affinity_timeout=" + affinityTimeout + "s" : "")
                + (backendId != 0 ? " backend=" + backendId : "");
    }
}
