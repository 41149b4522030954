package io.twill.datapath;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatapathConfigTest {
    static final Ipv4Prefix CLUSTER = Ipv4Prefix.parse("10.244.0.0/16");

    @Test
    void constantsAreTheRodataBytes() {
        Map<String, byte[]> c = DatapathConfig.overlay(Ipv4.parse("192.168.1.7"), CLUSTER, 9).constants();
        assertThat(c.keySet()).containsExactly("cfg_node_ip", "cfg_cluster_net", "cfg_cluster_mask", "cfg_routing_mode",
                "cfg_vxlan_ifindex", "cfg_vni", "cfg_source_check", "cfg_trace", "cfg_kube_proxy_replacement",
                "cfg_masquerade", "cfg_nat_port_min", "cfg_nat_port_max");
        assertThat(c.get("cfg_node_ip")).containsExactly(192, 168, 1, 7);           // network order, as in packets
        assertThat(c.get("cfg_cluster_mask")).containsExactly(255, 255, 0, 0);
        assertThat(u32(c.get("cfg_vxlan_ifindex"))).isEqualTo(9);                   // host order
        assertThat(u32(c.get("cfg_vni"))).isEqualTo(DatapathConfig.DEFAULT_VNI);
        assertThat(u32(c.get("cfg_routing_mode"))).isEqualTo(0);
        assertThat(u32(c.get("cfg_kube_proxy_replacement"))).isEqualTo(0);
        Map<String, byte[]> kpr = DatapathConfig.overlay(Ipv4.parse("192.168.1.7"), CLUSTER, 9)
                .withKubeProxyReplacement(true).withMasquerade(true, 61000, 61999).constants();
        assertThat(u32(kpr.get("cfg_kube_proxy_replacement"))).isEqualTo(1);
        assertThat(u32(kpr.get("cfg_masquerade"))).isEqualTo(1);
        assertThat(u32(kpr.get("cfg_nat_port_min"))).isEqualTo(61000);
        assertThat(u32(kpr.get("cfg_nat_port_max"))).isEqualTo(61999);
        assertThat(u32(DatapathConfig.nativeRouting(Ipv4.parse("192.168.1.7"), CLUSTER).constants().get("cfg_routing_mode")))
                .isEqualTo(1);
    }

    @Test
    void impossibleConfigsAreRefused() {
        assertThatThrownBy(() -> DatapathConfig.overlay(Ipv4.parse("192.168.1.7"), CLUSTER, 0))
                .hasMessageContaining("needs the ifindex of twill_vxlan");
        assertThatThrownBy(() -> DatapathConfig.overlay(Ipv4.parse("192.168.1.7"), CLUSTER, 3).withMasquerade(true, 62000, 61000))
                .hasMessageContaining("NAT port range 62000-61000");
        assertThatThrownBy(() -> DatapathConfig.overlay(Ipv4.parse("10.244.3.1"), CLUSTER, 3))
                .hasMessageContaining("inside the cluster CIDR");
        assertThatThrownBy(() -> DatapathConfig.overlay(Ipv4.parse("0.0.0.0"), CLUSTER, 3))
                .hasMessageContaining("not a unicast");
        assertThatThrownBy(() -> DatapathConfig.overlay(Ipv4.parse("192.168.1.7"), Ipv4Prefix.parse("0.0.0.0/0"), 3))
                .hasMessageContaining("every address");
        assertThatThrownBy(() -> DatapathConfig.overlay(Ipv4.parse("192.168.1.7"), CLUSTER, 3).withVni(1 << 24))
                .hasMessageContaining("vni");
    }

    static int u32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt();
    }
}
