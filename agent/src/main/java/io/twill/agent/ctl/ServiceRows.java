package io.twill.agent.ctl;

import io.twill.maps.MapEntry;
import io.twill.maps.Protocols;
import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbFrontend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatKey;
import io.twill.maps.lb.LbService;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the Service, conntrack and NAT commands (stable field names for scripts). Counters are unsigned
 * 64-bit and printed as decimal strings; times are seconds.
 */
final class ServiceRows {
    private ServiceRows() {
    }

    /** One backend of a frontend; {@code missing} when its id has no twill_lb_backends entry. */
    record Backend(long id, String address, Integer port, String protocol, String state, Boolean missing) {
        static Backend of(long id, LbBackend b) {
            if (b == null) {
                return new Backend(id, null, null, null, null, true);
            }
            return new Backend(id, b.addr().getHostAddress(), b.port(), Protocols.name(b.proto()), b.stateName(), null);
        }

        String text() {
            return id + " => " + (Boolean.TRUE.equals(missing) ? "? (missing from twill_lb_backends)"
                    : address + ":" + port + "/" + protocol.toUpperCase() + " (" + state + ")");
        }
    }

    /** One frontend (a service's slot 0) with its backends, as {@code service list} shows it. */
    record Service(int id, String frontend, String address, int port, String protocol, String scope, String type,
                   List<String> flags, Long affinityTimeout, List<Backend> backends) {
        static Service of(LbFrontend f, Map<Long, LbBackend> backends) {
            LbKey k = f.key();
            LbService s = f.service();
            List<Backend> bs = new ArrayList<>();
            for (long id : f.backendIds()) {
                bs.add(Backend.of(id, backends.get(id)));
            }
            return new Service(s.revNatIndex(), k.addr().getHostAddress() + ":" + k.port() + "/"
                    + Protocols.name(k.proto()).toUpperCase(), k.addr().getHostAddress(), k.port(),
                    Protocols.name(k.proto()), k.scope() == LbService.SCOPE_EXTERNAL ? "external" : "any", type(s),
                    s.flagNames(), s.has(LbService.F_AFFINITY) ? s.affinityTimeout() : null, bs);
        }

        /** "ClusterIP", "NodePort, Local", "ExternalIP, affinity 10800s". */
        static String type(LbService s) {
            String t = s.kind();
            if (s.has(LbService.F_LOCAL)) {
                t += ", Local";
            }
            if (s.has(LbService.F_AFFINITY)) {
                t += ", affinity " + s.affinityTimeout() + "s";
            }
            return t;
        }
    }

    /** One tracked connection. {@code expiresIn} is negative for an entry that expired but was not swept yet. */
    record Connection(String protocol, String initiator, String responder, boolean service, List<String> flags,
                      String tcpFlagsFwd, String tcpFlagsRev, long expiresIn, long created, long expires,
                      String packetsFwd, String bytesFwd, String packetsRev, String bytesRev, Long backendId,
                      Integer revNatIndex, Long srcIdentity) {
        static Connection of(MapEntry<CtKey, CtEntry> e, long now) {
            CtKey k = e.key();
            CtEntry v = e.value();
            return new Connection(Protocols.name(k.proto()), v.initiator(k), v.responder(k), k.isService(),
                    v.flagNames(), CtEntry.tcpFlagNames(v.tcpFlagsFwd()), CtEntry.tcpFlagNames(v.tcpFlagsRev()),
                    v.remaining(now), v.created(), v.expires(), Long.toUnsignedString(v.packetsFwd()),
                    Long.toUnsignedString(v.bytesFwd()), Long.toUnsignedString(v.packetsRev()),
                    Long.toUnsignedString(v.bytesRev()), v.backendId() != 0 ? v.backendId() : null,
                    v.revNatIndex() != 0 ? v.revNatIndex() : null, v.srcIdentity() != 0 ? v.srcIdentity() : null);
        }

        /** Flags for the table: key kind, CT_F_* names, and what the entry translates. */
        String flagText() {
            List<String> f = new ArrayList<>();
            if (service) {
                f.add("service");
            }
            f.addAll(flags);
            if (backendId != null) {
                f.add("backend=" + backendId);
            }
            if (revNatIndex != null) {
                f.add("revnat=" + revNatIndex);
            }
            return f.isEmpty() ? "-" : String.join(",", f);
        }
    }

    /** One twill_snat entry. */
    record Nat(String direction, String protocol, String source, String destination, String translated,
               boolean nodePort, String frontend, long expiresIn, long created, long expires) {
        static Nat of(MapEntry<SnatKey, SnatEntry> e, long now) {
            SnatKey k = e.key();
            SnatEntry v = e.value();
            return new Nat(k.dirName(), Protocols.name(k.proto()), Protocols.endpoint(k.saddr(), k.sport()),
                    Protocols.endpoint(k.daddr(), k.dport()), Protocols.endpoint(v.toAddr(), v.toPort()),
                    v.isNodePort(), v.isNodePort() ? Protocols.endpoint(v.revAddr(), v.revPort()) : null,
                    v.expires() - now, v.created(), v.expires());
        }
    }

    /** One twill_lb_services slot as stored. */
    record LbSlot(String frontend, String scope, int slot, long backendId, int count, int revNatIndex,
                  List<String> flags, long affinityTimeout) {
        static LbSlot of(MapEntry<LbKey, LbService> e) {
            LbKey k = e.key();
            LbService v = e.value();
            return new LbSlot(k.addr().getHostAddress() + ":" + k.port() + "/" + Protocols.name(k.proto()),
                    k.scope() == LbService.SCOPE_EXTERNAL ? "external" : "any", k.slot(), v.backendId(), v.count(),
                    v.revNatIndex(), v.flagNames(), v.affinityTimeout());
        }
    }

    record LbBackendRow(long id, String address, int port, String protocol, String state) {
        static LbBackendRow of(MapEntry<Long, LbBackend> e) {
            LbBackend b = e.value();
            return new LbBackendRow(e.key(), b.addr().getHostAddress(), b.port(), Protocols.name(b.proto()),
                    b.stateName());
        }
    }

    record LbRevNatRow(int index, String frontend) {
        static LbRevNatRow of(MapEntry<LbRevNatKey, LbRevNat> e) {
            return new LbRevNatRow(e.key().index(), e.value().toString());
        }
    }

    /** What {@code bpf lb list -o json} prints. */
    record LbMaps(List<LbSlot> services, List<LbBackendRow> backends, List<LbRevNatRow> revnat) {
    }
}
