package io.twill.agent.ctl;

import io.twill.maps.MapEntry;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.endpoints.EndpointKey;
import io.twill.maps.events.DatapathEvent;
import io.twill.maps.events.DropEvent;
import io.twill.maps.events.TraceEvent;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.maps.tunnel.TunnelKey;

import java.time.Instant;

/** The JSON shapes of twillctl's outputs (stable field names for scripts), made from the maps module's records. */
final class Rows {
    private Rows() {
    }

    record BpfEndpoint(String ip, int endpointId, long ifindex, String kind, int flags, String mac, String nodeMac) {
        static BpfEndpoint of(MapEntry<EndpointKey, EndpointInfo> e) {
            EndpointInfo v = e.value();
            return new BpfEndpoint(e.key().addr().getHostAddress(), v.endpointId(), Integer.toUnsignedLong(v.ifindex()),
                    v.isHost() ? "host" : "pod", v.flags(), v.mac().toString(), v.nodeMac().toString());
        }
    }

    record Tunnel(String cidr, String nodeIp) {
        static Tunnel of(MapEntry<TunnelKey, TunnelInfo> e) {
            return new Tunnel(e.key().cidr().toString(), e.value().nodeIp().getHostAddress());
        }
    }

    /** {@code packets}/{@code bytes} are unsigned 64-bit, printed as decimal strings when past 2^63 would be wrong. */
    record Metric(String reason, String code, String direction, String packets, String bytes) {
        static Metric of(MapEntry<MetricsKey, MetricsValue> e) {
            MetricsKey k = e.key();
            return new Metric(k.reason().description(), k.reason().cName(), k.direction().label(),
                    Long.toUnsignedString(e.value().packets()), Long.toUnsignedString(e.value().bytes()));
        }
    }

    /** One event; {@code reason}/{@code code} for drops, {@code point}/{@code targetIfindex} for traces. */
    record Event(String time, String type, String reason, String code, String point, String direction,
                 long ifindex, Long targetIfindex, String protocol, String saddr, int sport, String daddr, int dport,
                 long length) {
        static Event of(DatapathEvent ev, Instant time) {
            return switch (ev) {
                case DropEvent d -> new Event(time.toString(), "drop", d.reason().description(), d.reason().cName(),
                        null, d.direction().label(), Integer.toUnsignedLong(d.ifindex()), null, proto(d.protocol()),
                        d.saddr().getHostAddress(), d.sport(), d.daddr().getHostAddress(), d.dport(), d.length());
                case TraceEvent t -> new Event(time.toString(), "trace", null, null, t.point().label(),
                        t.direction().label(), Integer.toUnsignedLong(t.ifindex()),
                        Integer.toUnsignedLong(t.targetIfindex()), proto(t.protocol()), t.saddr().getHostAddress(),
                        t.sport(), t.daddr().getHostAddress(), t.dport(), t.length());
            };
        }

        private static String proto(int p) {
            return switch (p) {
                case 0 -> null;
                case 1 -> "icmp";
                case 6 -> "tcp";
                case 17 -> "udp";
                default -> Integer.toString(p);
            };
        }
    }
}
