package io.twill.agent.ctl;

import io.twill.agent.ctl.CtlOptions.Output;
import io.twill.types.Ipv4;
import io.twill.maps.MapEntry;
import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatKey;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbServicesMap;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code twillctl service list}, {@code bpf ct list|flush}, {@code bpf nat list} and {@code bpf lb list}: Services,
 * connection tracking and NAT, read from the pinned maps (they work while the agent is down). Expiry is shown as the
 * seconds left on the datapath's clock (CLOCK_MONOTONIC), negative for an expired entry not yet swept.
 */
final class ServiceCommands {
    private final CtlSources sources;
    private final PrintStream out;

    ServiceCommands(CtlSources sources, PrintStream out) {
        this.sources = sources;
        this.out = out;
    }

    int serviceList(CtlOptions o) throws Exception {
        Map<Long, LbBackend> backends = new HashMap<>();
        for (var e : sources.lbBackends(o.pinRoot())) {
            backends.put(e.key(), e.value());
        }
        List<ServiceRows.Service> rows = LbServicesMap.group(sources.lbServices(o.pinRoot())).stream()
                .map(f -> ServiceRows.Service.of(f, backends)).toList();
        if (o.output() == Output.JSON) {
            out.println(Twillctl.json(rows));
            return Twillctl.OK;
        }
        Table t = new Table("ID", "FRONTEND", "SERVICE TYPE", "BACKEND").numeric(0);
        for (ServiceRows.Service s : rows) {
            String frontend = s.frontend() + ("external".equals(s.scope()) ? " (external)" : "");
            if (s.backends().isEmpty()) {
                t.row(s.id(), frontend, s.type(), "(none: connections refused)");
            }
            for (int i = 0; i < s.backends().size(); i++) {
                String text = s.backends().get(i).text();
                t.row(i == 0 ? s.id() : "", i == 0 ? frontend : "", i == 0 ? s.type() : "", text);
            }
        }
        out.print(t.render());
        return Twillctl.OK;
    }

    int ctList(CtlOptions o) throws Exception {
        long now = sources.monotonicSeconds();
        List<ServiceRows.Connection> rows = sources.bpfCt(o.pinRoot()).stream()
                .sorted(Comparator.<MapEntry<CtKey, CtEntry>>comparingInt(e -> e.key().proto())
                        .thenComparingLong(e -> Integer.toUnsignedLong(Ipv4.toInt(e.key().addrA())))
                        .thenComparingInt(e -> e.key().portA())
                        .thenComparingLong(e -> Integer.toUnsignedLong(Ipv4.toInt(e.key().addrB())))
                        .thenComparingInt(e -> e.key().portB())
                        .thenComparingInt(e -> e.key().flags()))
                .map(e -> ServiceRows.Connection.of(e, now)).toList();
        if (o.output() == Output.JSON) {
            out.println(Twillctl.json(rows));
            return Twillctl.OK;
        }
        Table t = new Table("PROTO", "INITIATOR", "RESPONDER", "FLAGS", "TCP FLAGS", "EXPIRES", "FWD PKTS",
                "FWD BYTES", "REV PKTS", "REV BYTES").numeric(5, 6, 7, 8, 9);
        for (ServiceRows.Connection c : rows) {
            t.row(c.protocol(), c.initiator(), c.responder(), c.flagText(),
                    "tcp".equals(c.protocol()) ? c.tcpFlagsFwd() + "/" + c.tcpFlagsRev() : "-",
                    c.expiresIn() < 0 ? "expired" : c.expiresIn() + "s", c.packetsFwd(), c.bytesFwd(), c.packetsRev(),
                    c.bytesRev());
        }
        out.print(t.render());
        return Twillctl.OK;
    }

    int ctFlush(CtlOptions o) throws Exception {
        int n = sources.flushCt(o.pinRoot());
        if (o.output() == Output.JSON) {
            out.println(Twillctl.json(Map.of("deleted", n)));
        } else {
            out.println("deleted " + n + " entries from twill_ct");
        }
        return Twillctl.OK;
    }

    int natList(CtlOptions o) throws Exception {
        long now = sources.monotonicSeconds();
        List<ServiceRows.Nat> rows = sources.bpfNat(o.pinRoot()).stream()
                .sorted(Comparator.<MapEntry<SnatKey, SnatEntry>>comparingInt(e -> e.key().dir())
                        .thenComparingInt(e -> e.key().proto())
                        .thenComparingLong(e -> Integer.toUnsignedLong(Ipv4.toInt(e.key().saddr())))
                        .thenComparingInt(e -> e.key().sport())
                        .thenComparingLong(e -> Integer.toUnsignedLong(Ipv4.toInt(e.key().daddr())))
                        .thenComparingInt(e -> e.key().dport()))
                .map(e -> ServiceRows.Nat.of(e, now)).toList();
        if (o.output() == Output.JSON) {
            out.println(Twillctl.json(rows));
            return Twillctl.OK;
        }
        Table t = new Table("DIR", "PROTO", "SOURCE", "DESTINATION", "TRANSLATED", "NODEPORT FRONTEND", "EXPIRES")
                .numeric(6);
        for (ServiceRows.Nat n : rows) {
            t.row(n.direction(), n.protocol(), n.source(), n.destination(), n.translated(), n.frontend(),
                    n.expiresIn() < 0 ? "expired" : n.expiresIn() + "s");
        }
        out.print(t.render());
        return Twillctl.OK;
    }

    int lbList(CtlOptions o) throws Exception {
        List<ServiceRows.LbSlot> slots = sources.lbServices(o.pinRoot()).stream()
                .sorted(Comparator.<MapEntry<LbKey, LbService>>comparingLong(
                                e -> Integer.toUnsignedLong(Ipv4.toInt(e.key().addr())))
                        .thenComparingInt(e -> e.key().port()).thenComparingInt(e -> e.key().proto())
                        .thenComparingInt(e -> e.key().scope()).thenComparingInt(e -> e.key().slot()))
                .map(ServiceRows.LbSlot::of).toList();
        List<ServiceRows.LbBackendRow> backends = sources.lbBackends(o.pinRoot()).stream()
                .sorted(Comparator.comparingLong(MapEntry::key)).map(ServiceRows.LbBackendRow::of).toList();
        List<ServiceRows.LbRevNatRow> revnat = sources.lbRevNat(o.pinRoot()).stream()
                .sorted(Comparator.<MapEntry<LbRevNatKey, LbRevNat>>comparingInt(e -> e.key().index()))
                .map(ServiceRows.LbRevNatRow::of).toList();
        if (o.output() == Output.JSON) {
            out.println(Twillctl.json(new ServiceRows.LbMaps(slots, backends, revnat)));
            return Twillctl.OK;
        }
        Table s = new Table("FRONTEND", "SCOPE", "SLOT", "BACKEND ID", "COUNT", "REVNAT", "FLAGS", "AFFINITY")
                .numeric(2, 3, 4, 5, 7);
        slots.forEach(r -> s.row(r.frontend(), r.scope(), r.slot(), r.backendId(), r.count(), r.revNatIndex(),
                r.flags().isEmpty() ? "-" : String.join(",", r.flags()), r.affinityTimeout()));
        Table b = new Table("ID", "ADDRESS", "PORT", "PROTO", "STATE").numeric(0, 2);
        backends.forEach(r -> b.row(r.id(), r.address(), r.port(), r.protocol(), r.state()));
        Table r = new Table("INDEX", "FRONTEND").numeric(0);
        revnat.forEach(x -> r.row(x.index(), x.frontend()));
        out.print("twill_lb_services (" + s.size() + ")\n" + s.render() + "\ntwill_lb_backends (" + b.size() + ")\n"
                + b.render() + "\ntwill_lb_revnat (" + r.size() + ")\n" + r.render());
        return Twillctl.OK;
    }
}
