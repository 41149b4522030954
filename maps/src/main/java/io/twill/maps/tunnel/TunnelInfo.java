package io.twill.maps.tunnel;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.util.Objects;

/**
 * {@code struct tunnel_info} (bpf-src/src/lib/tunnel.h): the node that owns a pod CIDR.
 *
 * @param nodeIp the node's underlay IPv4 ({@code __be32 node_ip}): the VXLAN remote (overlay) or next hop (native)
 */
public record TunnelInfo(Inet4Address nodeIp) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Fields.BE32.withName("node_ip")
    ).withName("tunnel_info");

    public TunnelInfo {
        Objects.requireNonNull(nodeIp, "tunnel_info.node_ip");
    }

    public static TunnelInfo of(String nodeIp) {
        return new TunnelInfo(Ipv4.parse(nodeIp));
    }

    public static TunnelInfo read(MemorySegment s) {
        return new TunnelInfo(Fields.ipv4(s, 0));
    }

    public void write(MemorySegment s) {
        Fields.ipv4(s, 0, nodeIp);
    }

    @Override
    public String toString() {
        return "node=" + nodeIp.getHostAddress();
    }
}
