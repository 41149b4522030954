package io.twill.maps;

import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.endpoints.EndpointKey;
import io.twill.maps.events.DropEvent;
import io.twill.maps.events.TraceEvent;
import io.twill.maps.lb.LbAffinity;
import io.twill.maps.lb.LbAffinityKey;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbNetns;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatKey;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbSock;
import io.twill.maps.lb.LbSockKey;
import io.twill.maps.metrics.MetricsValue;
import io.twill.maps.snat.NonMasqInfo;
import io.twill.maps.snat.NonMasqKey;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.maps.tunnel.TunnelKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Java record layout has the size and member offsets of its C struct, as recorded in the BTF of each built
 * .bpf.o (cilium's alignchecker, without root). A C change the Java side does not follow fails here.
 */
class LayoutMatchesBtfTest {
    static final List<StructLayout> LAYOUTS = List.of(EndpointKey.LAYOUT, EndpointInfo.LAYOUT, TunnelKey.LAYOUT,
            TunnelInfo.LAYOUT, MetricsValue.LAYOUT, DropEvent.LAYOUT, TraceEvent.LAYOUT);
    /** Connection tracking and Services: in every object, bpf_sock included. */
    static final List<StructLayout> SERVICE_LAYOUTS = List.of(CtKey.LAYOUT, CtEntry.LAYOUT, LbKey.LAYOUT,
            LbService.LAYOUT, LbBackend.LAYOUT, LbRevNatKey.LAYOUT, LbRevNat.LAYOUT, LbAffinityKey.LAYOUT,
            LbAffinity.LAYOUT, LbSockKey.LAYOUT, LbSock.LAYOUT, LbNetns.LAYOUT);
    /** NAT: bpf_host only. */
    static final List<StructLayout> NAT_LAYOUTS = List.of(SnatKey.LAYOUT, SnatEntry.LAYOUT, NonMasqKey.LAYOUT,
            NonMasqInfo.LAYOUT);
    /** Which records each object must carry in its BTF. */
    static final Map<String, List<StructLayout>> EXPECTED = Map.of(
            "bpf_lxc", concat(LAYOUTS, SERVICE_LAYOUTS),
            "bpf_overlay", concat(LAYOUTS, SERVICE_LAYOUTS),
            "bpf_host", concat(LAYOUTS, SERVICE_LAYOUTS, NAT_LAYOUTS),
            "bpf_sock", concat(List.of(MetricsValue.LAYOUT, DropEvent.LAYOUT), SERVICE_LAYOUTS));

    @SafeVarargs
    static List<StructLayout> concat(List<StructLayout>... lists) {
        List<StructLayout> out = new ArrayList<>();
        for (List<StructLayout> l : lists) out.addAll(l);
        return out;
    }

    static final Map<String, Map<String, BtfStructs.BtfStruct>> BTF = new HashMap<>();

    @BeforeAll
    static void readBtf(@TempDir Path tmp) {
        for (String obj : EXPECTED.keySet()) {
            BTF.put(obj, BtfStructs.ofResource("/io/twill/bpf/" + obj + ".bpf.o", tmp));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bpf_lxc", "bpf_overlay", "bpf_host", "bpf_sock"})
    void everyRecordMatchesTheObjectsBtf(String object) {
        Map<String, BtfStructs.BtfStruct> structs = BTF.get(object);
        List<String> problems = new ArrayList<>();
        for (StructLayout layout : EXPECTED.get(object)) {
            String name = layout.name().orElseThrow();
            BtfStructs.BtfStruct btf = structs.get(name);
            if (btf == null) {
                problems.add(name + ": not in the BTF of " + object);
                continue;
            }
            problems.addAll(LayoutCheck.compare(layout, btf));
        }
        assertThat(problems).as("layout differences in " + object).isEmpty();
    }

    @Test
    void everyStructOfTheObjectsHasARecordOrIsKnownToBeCOnly() {
        // A map struct added in C without its Java record is a gap too: every struct in the BTF of the objects is
        // either mirrored above or one the Java side never reads (headers, helper arguments, locals).
        java.util.Set<String> mirrored = new java.util.HashSet<>();
        EXPECTED.values().forEach(l -> l.forEach(x -> mirrored.add(x.name().orElseThrow())));
        java.util.Set<String> cOnly = java.util.Set.of("flow", "ct_new", "svc_choice", "l3_view", "arp_view",
                "icmp_echo_hdr", "tcp_base", "pseudo_tcp", "icmp_unreach", "arp_body");
        List<String> missing = new ArrayList<>();
        for (var e : BTF.entrySet()) {
            for (String name : e.getValue().keySet()) {
                boolean ours = name.startsWith("ct_") || name.startsWith("lb_") || name.startsWith("snat_")
                        || name.startsWith("nonmasq_") || name.startsWith("endpoint_") || name.startsWith("tunnel_")
                        || name.startsWith("metrics_") || name.endsWith("_event");
                if (ours && !mirrored.contains(name) && !cOnly.contains(name)) missing.add(e.getKey() + ": " + name);
            }
        }
        assertThat(missing).as("structs of Twill's maps without a Java record").isEmpty();
    }

    @Test
    void aWrongLayoutIsCaught() {
        // endpoint_info without its trailing pad2 and with flags/endpoint_id swapped: both must be reported.
        StructLayout wrong = MemoryLayout.structLayout(
                JAVA_INT.withName("ifindex"),
                JAVA_SHORT.withName("flags"),
                JAVA_SHORT.withName("endpoint_id"),
                MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("mac"),
                MemoryLayout.sequenceLayout(2, JAVA_BYTE).withName("pad1"),
                MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("node_mac")
        ).withName("endpoint_info");
        List<String> problems = LayoutCheck.compare(wrong, BTF.get("bpf_lxc").get("endpoint_info"));
        assertThat(problems).anyMatch(p -> p.contains("size Java=22 BTF=24"))
                .anyMatch(p -> p.startsWith("endpoint_info.flags: Java offset/size 4/2, BTF 6/2"))
                .anyMatch(p -> p.startsWith("endpoint_info.pad2: in BTF"));
    }

    @Test
    void implicitPaddingIsReportedByName() {
        // A layout that leaves C's padding implicit (a padding layout instead of pad1) is a difference too.
        StructLayout implicit = MemoryLayout.structLayout(
                JAVA_INT.withName("ifindex"),
                JAVA_SHORT.withName("endpoint_id"),
                JAVA_SHORT.withName("flags"),
                MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("mac"),
                MemoryLayout.paddingLayout(2),
                MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("node_mac"),
                MemoryLayout.sequenceLayout(2, JAVA_BYTE).withName("pad2")
        ).withName("endpoint_info");
        assertThat(LayoutCheck.compare(implicit, BTF.get("bpf_lxc").get("endpoint_info")))
                .anyMatch(p -> p.startsWith("endpoint_info.pad1: in BTF"));
    }
}
