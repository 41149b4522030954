package io.twill.datapath;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;

import io.twill.types.RoutingMode;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The load-time tunables of the datapath, written into every object's {@code .rodata} before loading
 * (bpf-src/src/lib/config.h), so nodes never run clang. Changing them means loading the datapath again; attached
 * programs are then replaced atomically.
 *
 * @param nodeIp       this node's underlay IPv4 (eth0); twill_tunnel entries pointing here mark its own pod CIDR
 * @param clusterCidr  the cluster-wide pod range; a destination inside it that no node owns is dropped
 * @param routingMode  OVERLAY (VXLAN) or NATIVE (kernel routes per node CIDR)
 * @param vxlanIfindex ifindex of twill_vxlan in the node's namespace; required for OVERLAY, 0 allowed for NATIVE
 * @param vni          VXLAN network identifier put on and expected from every encapsulated packet, 1..16777215
 * @param sourceCheck  a pod may only send from its own address (anti-spoofing)
 * @param trace        emit a trace event per forwarded packet (debugging; costs a ring-buffer write per packet)
 * @param kubeProxyReplacement Services in BPF: per-packet load balancing in bpf_lxc, NodePort and external IPs in
 *                     bpf_host, the socket hooks of bpf_sock
 * @param masquerade   SNAT pod traffic leaving the cluster to {@code nodeIp}, ports {@code natPortMin..natPortMax}
 * @param natPortMin   first source port masquerading and NodePort SNAT may use
 * @param natPortMax   last one (inclusive)
 * @param ctMaxEntries size of twill_ct
 */
public record DatapathConfig(Inet4Address nodeIp, Ipv4Prefix clusterCidr, RoutingMode routingMode, int vxlanIfindex,
                             int vni, boolean sourceCheck, boolean trace, boolean kubeProxyReplacement,
                             boolean masquerade, int natPortMin, int natPortMax, int ctMaxEntries) {
    /** The VNI Twill uses unless told otherwise. */
    public static final int DEFAULT_VNI = 2;
    public static final int DEFAULT_NAT_PORT_MIN = 61000, DEFAULT_NAT_PORT_MAX = 65535;
    public static final int DEFAULT_CT_MAX_ENTRIES = 512 * 1024;

    public DatapathConfig {
        Objects.requireNonNull(nodeIp, "nodeIp");
        Objects.requireNonNull(clusterCidr, "clusterCidr");
        Objects.requireNonNull(routingMode, "routingMode");
        if (!Ipv4.isUnicast(nodeIp)) throw new IllegalArgumentException("nodeIp " + nodeIp.getHostAddress() + " is not a unicast address");
        if (clusterCidr.length() == 0) {
            throw new IllegalArgumentException("clusterCidr " + clusterCidr + " would make every address a pod address");
        }
        if (clusterCidr.contains(nodeIp)) {
            throw new IllegalArgumentException("nodeIp " + nodeIp.getHostAddress() + " lies inside the cluster CIDR "
                    + clusterCidr + ": the pod range must not overlap the node network");
        }
        if (vni < 1 || vni > 0xFF_FFFF) throw new IllegalArgumentException("vni " + vni + " outside 1..16777215");
        if (vxlanIfindex < 0) throw new IllegalArgumentException("vxlanIfindex " + vxlanIfindex + " is negative");
        if (routingMode == RoutingMode.OVERLAY && vxlanIfindex == 0) {
            throw new IllegalArgumentException("overlay routing needs the ifindex of twill_vxlan (vxlanIfindex is 0)");
        }
        if (natPortMin < 1 || natPortMax > 65535 || natPortMin > natPortMax) {
            throw new IllegalArgumentException("NAT port range " + natPortMin + "-" + natPortMax + " is not within 1-65535");
        }
        if (ctMaxEntries < 1) throw new IllegalArgumentException("ctMaxEntries " + ctMaxEntries + " must be positive");
    }

    /** VXLAN between nodes, anti-spoofing on, no tracing. */
    public static DatapathConfig overlay(Inet4Address nodeIp, Ipv4Prefix clusterCidr, int vxlanIfindex) {
        return new DatapathConfig(nodeIp, clusterCidr, RoutingMode.OVERLAY, vxlanIfindex, DEFAULT_VNI, true, false,
                false, false, DEFAULT_NAT_PORT_MIN, DEFAULT_NAT_PORT_MAX, DEFAULT_CT_MAX_ENTRIES);
    }

    /** Native routing, anti-spoofing on, no tracing. */
    public static DatapathConfig nativeRouting(Inet4Address nodeIp, Ipv4Prefix clusterCidr) {
        return new DatapathConfig(nodeIp, clusterCidr, RoutingMode.NATIVE, 0, DEFAULT_VNI, true, false,
                false, false, DEFAULT_NAT_PORT_MIN, DEFAULT_NAT_PORT_MAX, DEFAULT_CT_MAX_ENTRIES);
    }

    public DatapathConfig withTrace(boolean on) {
        return new DatapathConfig(nodeIp, clusterCidr, routingMode, vxlanIfindex, vni, sourceCheck, on,
                kubeProxyReplacement, masquerade, natPortMin, natPortMax, ctMaxEntries);
    }

    public DatapathConfig withSourceCheck(boolean on) {
        return new DatapathConfig(nodeIp, clusterCidr, routingMode, vxlanIfindex, vni, on, trace,
                kubeProxyReplacement, masquerade, natPortMin, natPortMax, ctMaxEntries);
    }

    public DatapathConfig withVni(int v) {
        return new DatapathConfig(nodeIp, clusterCidr, routingMode, vxlanIfindex, v, sourceCheck, trace,
                kubeProxyReplacement, masquerade, natPortMin, natPortMax, ctMaxEntries);
    }

    public DatapathConfig withKubeProxyReplacement(boolean on) {
        return new DatapathConfig(nodeIp, clusterCidr, routingMode, vxlanIfindex, vni, sourceCheck, trace,
                on, masquerade, natPortMin, natPortMax, ctMaxEntries);
    }

    /** Masquerading on or off, with the source ports it may use. */
    public DatapathConfig withMasquerade(boolean on, int portMin, int portMax) {
        return new DatapathConfig(nodeIp, clusterCidr, routingMode, vxlanIfindex, vni, sourceCheck, trace,
                kubeProxyReplacement, on, portMin, portMax, ctMaxEntries);
    }

    public DatapathConfig withCtMaxEntries(int entries) {
        return new DatapathConfig(nodeIp, clusterCidr, routingMode, vxlanIfindex, vni, sourceCheck, trace,
                kubeProxyReplacement, masquerade, natPortMin, natPortMax, entries);
    }

    /** The rodata variables by C name, as their bytes: addresses in network order, integers in host order. */
    public Map<String, byte[]> constants() {
        Map<String, byte[]> c = new LinkedHashMap<>();
        c.put("cfg_node_ip", nodeIp.getAddress());
        c.put("cfg_cluster_net", clusterCidr.address().getAddress());
        c.put("cfg_cluster_mask", clusterCidr.netmask().getAddress());
        c.put("cfg_routing_mode", u32(routingMode.code()));
        c.put("cfg_vxlan_ifindex", u32(vxlanIfindex));
        c.put("cfg_vni", u32(vni));
        c.put("cfg_source_check", u32(sourceCheck ? 1 : 0));
        c.put("cfg_trace", u32(trace ? 1 : 0));
        c.put("cfg_kube_proxy_replacement", u32(kubeProxyReplacement ? 1 : 0));
        c.put("cfg_masquerade", u32(masquerade ? 1 : 0));
        c.put("cfg_nat_port_min", u32(natPortMin));
        c.put("cfg_nat_port_max", u32(natPortMax));
        return c;
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(v).array();
    }

    @Override
    public String toString() {
        return "node " + nodeIp.getHostAddress() + ", cluster " + clusterCidr + ", " + routingMode.name().toLowerCase()
                + (routingMode == RoutingMode.OVERLAY ? " (vxlan ifindex " + vxlanIfindex + ", vni " + vni + ")" : "")
                + (sourceCheck ? "" : ", no source check") + (trace ? ", tracing" : "")
                + (kubeProxyReplacement ? ", kube-proxy replacement" : "")
                + (masquerade ? ", masquerade (ports " + natPortMin + "-" + natPortMax + ")" : "")
                + ", conntrack " + ctMaxEntries;
    }
}
