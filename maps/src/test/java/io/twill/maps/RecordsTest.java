package io.twill.maps;

import io.twill.types.MacAddress;
import io.twill.types.Ipv4;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.endpoints.EndpointKey;
import io.twill.maps.endpoints.EndpointsMap;
import io.twill.maps.events.DatapathEvent;
import io.twill.maps.events.DropEvent;
import io.twill.maps.events.TraceEvent;
import io.twill.maps.events.TracePoint;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;
import io.twill.maps.metrics.Reason;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.maps.tunnel.TunnelKey;
import io.twill.maps.tunnel.TunnelMap;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Byte-exact codecs, the CLI-style text, and the refusals that keep impossible values out of the kernel. */
class RecordsTest {
    static final MacAddress POD = MacAddress.parse("02:00:00:00:00:01"), LXC = MacAddress.parse("0a:1b:2c:3d:4e:5f");

    static String hex(MemorySegment s) {
        return HexFormat.of().formatHex(s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    @Test
    void endpointBytesAreTheCStruct() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(EndpointKey.LAYOUT);
            EndpointKey.of("10.244.1.5").write(k);
            assertThat(hex(k)).isEqualTo("0af40105"); // __be32: packet byte order
            MemorySegment v = a.allocate(EndpointInfo.LAYOUT);
            EndpointInfo info = EndpointInfo.pod(7, 513, POD, LXC);
            info.write(v);
            // ifindex u32 LE | id u16 LE | flags | mac | pad1 | node_mac | pad2
            assertThat(hex(v)).isEqualTo("07000000" + "0102" + "0000" + "020000000001" + "0000" + "0a1b2c3d4e5f" + "0000");
            assertThat(EndpointInfo.read(v)).isEqualTo(info);
            assertThat(EndpointKey.read(k)).isEqualTo(EndpointKey.of("10.244.1.5"));
        }
    }

    @Test
    void tunnelKeyIsAnLpmKey() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(TunnelKey.LAYOUT);
            TunnelKey.of("10.244.2.0/24").write(k);
            assertThat(hex(k)).isEqualTo("18000000" + "0af40200");
            k.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 7, (byte) 9); // host bits the trie ignores
            assertThat(TunnelKey.read(k)).isEqualTo(TunnelKey.of("10.244.2.0/24"));
            MemorySegment v = a.allocate(TunnelInfo.LAYOUT);
            TunnelInfo.of("192.168.1.2").write(v);
            assertThat(hex(v)).isEqualTo("c0a80102");
        }
    }

    @Test
    void metricsKeyAndText() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(MetricsKey.LAYOUT);
            new MetricsKey(Reason.NO_ENDPOINT, Direction.EGRESS).write(k);
            assertThat(hex(k)).as("index 2 * 32 + 5, a little-endian u32").isEqualTo("45000000");
            assertThat(MetricsKey.read(k).toString()).isEqualTo("no_endpoint egress");
            assertThat(new MetricsValue(3, 300).toString()).isEqualTo("packets=3 bytes=300");
        }
    }

    @Test
    void everyNamedMetricsKeyHasItsOwnIndex() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (Direction d : Direction.values()) {
            for (Reason r : Reason.values()) {
                if (r == Reason.UNKNOWN) continue;
                MetricsKey k = new MetricsKey(r, d);
                assertThat(seen.add(k.index())).as("index of " + k).isTrue();
                assertThat(k.index()).isBetween(0, MetricsKey.INDEXES - 1);
                assertThat(MetricsKey.ofIndex(k.index())).isEqualTo(k);
            }
        }
        assertThatThrownBy(() -> MetricsKey.ofIndex(MetricsKey.INDEXES)).hasMessageContaining("not 0..255");
        assertThatThrownBy(() -> new MetricsKey(Reason.UNKNOWN, Direction.EGRESS).index()).hasMessageContaining("UNKNOWN");
    }

    @Test
    void eventsDecodeByType() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = a.allocate(DropEvent.LAYOUT);
            DropEvent drop = new DropEvent(42, Reason.UNROUTABLE, Direction.EGRESS, 6, 5, 74,
                    Ipv4.parse("10.0.1.2"), Ipv4.parse("10.0.9.9"), 40000, 80);
            drop.write(d);
            assertThat(DatapathEvent.decode(d)).isEqualTo(drop);
            assertThat(drop.toString()).isEqualTo("drop unroutable (No node owns the destination) egress ifindex=5 "
                    + "tcp 10.0.1.2:40000 -> 10.0.9.9:80 len=74");
            MemorySegment t = a.allocate(TraceEvent.LAYOUT);
            TraceEvent trace = new TraceEvent(43, TracePoint.TO_OVERLAY, Direction.EGRESS, 1, 5, 98,
                    Ipv4.parse("10.0.1.2"), Ipv4.parse("10.0.2.2"), 0, 0, 3);
            trace.write(t);
            assertThat(DatapathEvent.decode(t)).isEqualTo(trace);
            assertThat(trace.toString()).isEqualTo("trace to-overlay egress ifindex=5 -> ifindex=3 icmp 10.0.1.2 -> 10.0.2.2 len=98");
            assertThatThrownBy(() -> DatapathEvent.decode(d.asSlice(0, 20))).hasMessageContaining("needs 32 bytes");
            d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 8, (byte) 77);
            assertThatThrownBy(() -> DatapathEvent.decode(d)).hasMessageContaining("unknown event type 77");
        }
    }

    @Test
    void impossibleEndpointsAreRefused() {
        EndpointKey k = EndpointKey.of("10.0.1.5");
        assertThat(EndpointsMap.problem(k, EndpointInfo.pod(7, 1, POD, LXC))).isNull();
        assertThat(EndpointsMap.problem(k, EndpointInfo.host())).isNull();
        assertThat(EndpointsMap.problem(k, EndpointInfo.pod(0, 1, POD, LXC))).contains("ifindex 0");
        assertThat(EndpointsMap.problem(k, EndpointInfo.pod(7, 0, POD, LXC))).contains("endpoint_id 0");
        assertThat(EndpointsMap.problem(k, EndpointInfo.pod(7, 1, new MacAddress(0), LXC))).contains("pod mac 00:00:00:00:00:00");
        assertThat(EndpointsMap.problem(k, EndpointInfo.pod(7, 1, POD, MacAddress.parse("01:00:5e:00:00:01"))))
                .contains("node_mac 01:00:5e:00:00:01 is not a unicast");
        assertThat(EndpointsMap.problem(k, new EndpointInfo(7, 1, 0x8, POD, LXC))).contains("unknown flag bits 0x8");
        assertThat(EndpointsMap.problem(EndpointKey.of("0.0.0.0"), EndpointInfo.pod(7, 1, POD, LXC))).contains("unicast");
        assertThat(EndpointsMap.problem(EndpointKey.of("224.0.0.1"), EndpointInfo.pod(7, 1, POD, LXC))).contains("unicast");
        assertThatThrownBy(() -> EndpointInfo.pod(-1, 1, POD, LXC)).hasMessageContaining("negative");
        assertThatThrownBy(() -> EndpointInfo.pod(3, 70000, POD, LXC)).hasMessageContaining("outside 0..65535");
    }

    @Test
    void impossibleTunnelsAreRefused() {
        assertThat(TunnelMap.problem(TunnelKey.of("10.0.2.0/24"), TunnelInfo.of("192.168.0.2"))).isNull();
        assertThat(TunnelMap.problem(TunnelKey.of("0.0.0.0/0"), TunnelInfo.of("192.168.0.2"))).contains("/0");
        assertThat(TunnelMap.problem(TunnelKey.of("10.0.2.0/24"), TunnelInfo.of("0.0.0.0"))).contains("not a unicast");
        assertThat(TunnelMap.problem(TunnelKey.of("10.0.2.0/24"), TunnelInfo.of("255.255.255.255"))).contains("not a unicast");
        assertThatThrownBy(() -> TunnelKey.of("10.0.2.0/33")).hasMessageContaining("outside 0..32");
        assertThatThrownBy(() -> TunnelKey.of("10.0.2.7/24")).hasMessageContaining("did you mean 10.0.2.0/24");
        assertThatThrownBy(() -> Ipv4.parse("example.com")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> Ipv4.parse("10.0.0.256")).hasMessageContaining("outside 0..255");
    }

    @Test
    void cliText() {
        assertThat(EndpointInfo.pod(7, 3, POD, LXC).toString())
                .isEqualTo("ifindex=7 id=3 mac=02:00:00:00:00:01 node_mac=0a:1b:2c:3d:4e:5f flags=-");
        assertThat(EndpointInfo.host().toString()).isEqualTo("host flags=host");
        assertThat(new MapEntry<>(TunnelKey.of("10.0.2.0/24"), TunnelInfo.of("192.168.0.2")).toString())
                .isEqualTo("10.0.2.0/24 -> node=192.168.0.2");
    }
}
