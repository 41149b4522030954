package io.twill.maps;

import io.twill.types.Ipv4Prefix;
import io.twill.types.Ipv4;
import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.ct.CtMap;
import io.twill.maps.lb.LbAffinity;
import io.twill.maps.lb.LbAffinityKey;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbBackendsMap;
import io.twill.maps.lb.LbFrontend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbNetns;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatKey;
import io.twill.maps.lb.LbRevNatMap;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbServicesMap;
import io.twill.maps.lb.LbSock;
import io.twill.maps.lb.LbSockKey;
import io.twill.maps.snat.NonMasqInfo;
import io.twill.maps.snat.NonMasqKey;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;
import io.twill.maps.snat.SnatMap;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static io.twill.maps.RecordsTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Conntrack, Service and NAT records: byte-exact codecs, CLI text, and the refusals of impossible values. */
class ServiceRecordsTest {
    static final Inet4Address A = Ipv4.parse("10.0.0.1"), B = Ipv4.parse("10.0.0.2"), VIP = Ipv4.parse("10.96.0.10");

    /** Writes {@code v}, checks the bytes, reads it back and checks it is equal. */
    static <T> void roundTrip(StructLayout layout, T v, BiConsumer<T, MemorySegment> write,
                              Function<MemorySegment, T> read, String expectedHex) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(layout);
            s.fill((byte) 0x5a); // padding must be written, not left over
            write.accept(v, s);
            assertThat(hex(s)).as(layout.name().orElseThrow()).isEqualTo(expectedHex);
            assertThat(read.apply(s)).isEqualTo(v);
        }
    }

    @Test
    void ctKeyAndEntryBytes() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are written for x86");
        CtKey k = new CtKey(A, B, 1234, 80, Protocols.TCP, CtKey.F_SERVICE);
        roundTrip(CtKey.LAYOUT, k, CtKey::write, CtKey::read, "0a000001" + "0a000002" + "04d2" + "0050" + "06" + "01" + "0000");
        CtEntry e = new CtEntry(3, 180, 2, 120, 1100, 1000, 7, 42, 5,
                CtEntry.F_INITIATOR_B | CtEntry.F_SEEN_REPLY, 0x12, 0x12);
        roundTrip(CtEntry.LAYOUT, e, CtEntry::write, CtEntry::read,
                "0300000000000000" + "b400000000000000" + "0200000000000000" + "7800000000000000"
                        + "4c040000" + "e8030000" + "07000000" + "2a000000" + "0500" + "0300" + "12" + "12" + "0000");
        assertThat(CtEntry.LAYOUT.byteSize()).isEqualTo(56);
    }

    @Test
    void ctKeysAreOrderedAsTheDatapathOrdersThem() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the datapath compares native-order loads");
        // 10.0.1.0 loads as 0x0001000a and 10.0.0.5 as 0x0500000a on x86: the "larger" address is end a.
        Inet4Address low = Ipv4.parse("10.0.0.5"), high = Ipv4.parse("10.0.1.0");
        CtKey fromHigh = CtKey.ofPacket(high, 40000, low, 80, Protocols.TCP, 0);
        CtKey fromLow = CtKey.ofPacket(low, 80, high, 40000, Protocols.TCP, 0);
        assertThat(fromHigh).isEqualTo(fromLow).isEqualTo(new CtKey(high, low, 40000, 80, Protocols.TCP, 0));
        assertThat(CtKey.sourceIsA(high, 40000, low, 80)).isTrue();
        // Same address: ports compare as loaded, 256 (0x0001) before 1 (0x0100).
        assertThat(CtKey.ofPacket(A, 1, A, 256, Protocols.UDP, 0)).isEqualTo(new CtKey(A, A, 256, 1, Protocols.UDP, 0));
    }

    @Test
    void ctEntryNamesItsEndsAndFlags() {
        CtKey k = new CtKey(A, B, 1234, 80, Protocols.TCP, 0);
        CtEntry openedByA = new CtEntry(1, 60, 0, 0, 160, 100, 0, 0, 0, 0, 0x02, 0);
        CtEntry openedByB = new CtEntry(1, 60, 1, 60, 160, 100, 0, 0, 0,
                CtEntry.F_INITIATOR_B | CtEntry.F_SEEN_REPLY | CtEntry.F_FROM_STACK, 0x12, 0x12);
        assertThat(openedByA.initiator(k)).isEqualTo("10.0.0.1:1234");
        assertThat(openedByA.responder(k)).isEqualTo("10.0.0.2:80");
        assertThat(openedByB.initiator(k)).isEqualTo("10.0.0.2:80");
        assertThat(openedByB.responder(k)).isEqualTo("10.0.0.1:1234");
        assertThat(openedByB.flagNames()).containsExactly("initiator_b", "seen_reply", "from_stack");
        assertThat(new CtEntry(0, 0, 0, 0, 0, 0, 0, 0, 0, 0x180, 0, 0).flagNames()).containsExactly("0x180");
        assertThat(CtEntry.tcpFlagNames(0x12)).isEqualTo("SYN,ACK");
        assertThat(CtEntry.tcpFlagNames(0)).isEqualTo("-");
        assertThat(openedByA.expired(160)).isFalse();
        assertThat(openedByA.expired(161)).isTrue();
        assertThat(openedByA.remaining(150)).isEqualTo(10);
        assertThat(k.toString()).isEqualTo("10.0.0.1:1234 <-> 10.0.0.2:80 tcp");
        assertThat(new CtKey(A, VIP, 1234, 80, 6, CtKey.F_SERVICE).toString()).isEqualTo("10.0.0.1:1234 <-> 10.96.0.10:80 tcp service");
        assertThat(new CtKey(A, B, 7, 0, Protocols.ICMP, 0).toString()).isEqualTo("10.0.0.1:7 <-> 10.0.0.2 icmp");
        assertThat(openedByB.toString()).isEqualTo(
                "fwd=1p/60B rev=1p/60B created=100 expires=160 flags=initiator_b,seen_reply,from_stack tcp=SYN,ACK/SYN,ACK");
        assertThat(new CtEntry(-1, 0, 0, 0, 0, 0, 0, 9, 3, 0, 0, 0).toString())
                .isEqualTo("fwd=18446744073709551615p/0B rev=0p/0B created=0 expires=0 flags=- backend=9 revnat=3");
    }

    @Test
    void impossibleCtValuesAreRefused() {
        assertThatThrownBy(() -> new CtKey(A, B, 70000, 80, 6, 0)).hasMessageContaining("ct_key.port_a 70000 outside 0..65535");
        assertThatThrownBy(() -> new CtKey(A, B, 1, 80, 256, 0)).hasMessageContaining("ct_key.proto 256");
        assertThatThrownBy(() -> new CtEntry(0, 0, 0, 0, 1L << 32, 0, 0, 0, 0, 0, 0, 0))
                .hasMessageContaining("ct_entry.expires 4294967296 outside 0..4294967295");
        assertThatThrownBy(() -> new CtEntry(0, 0, 0, 0, 0, 0, 0, 0, 65536, 0, 0, 0)).hasMessageContaining("rev_nat_index");
        CtKey k = new CtKey(A, B, 1, 2, 6, 0);
        CtEntry ok = new CtEntry(1, 1, 0, 0, 160, 100, 0, 0, 0, 0, 0, 0);
        assertThat(CtMap.problem(k, ok)).isNull();
        assertThat(CtMap.problem(new CtKey(A, B, 1, 2, 6, 0x80), ok)).contains("unknown key flag bits 0x80");
        assertThat(CtMap.problem(k, new CtEntry(1, 1, 0, 0, 160, 100, 0, 0, 0, 0x100, 0, 0))).contains("unknown flag bits 0x100");
        assertThat(CtMap.problem(k, new CtEntry(1, 1, 0, 0, 99, 100, 0, 0, 0, 0, 0, 0))).contains("before it was created");
        assertThat(CtMap.problem(new CtKey(A, VIP, 1, 80, 6, CtKey.F_SERVICE), ok)).contains("without a backend id");
    }

    @Test
    void lbRecordBytes() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are written for x86");
        roundTrip(LbKey.LAYOUT, new LbKey(VIP, 80, Protocols.TCP, LbService.SCOPE_EXTERNAL, 3), LbKey::write, LbKey::read,
                "0a60000a" + "0050" + "06" + "01" + "0300" + "0000");
        roundTrip(LbService.LAYOUT, LbService.service(2, 7, LbService.F_CLUSTER_IP | LbService.F_AFFINITY, 10800),
                LbService::write, LbService::read, "00000000" + "302a0000" + "0200" + "0700" + "09" + "000000");
        roundTrip(LbService.LAYOUT, LbService.backend(0x01020304L), LbService::write, LbService::read,
                "04030201" + "00000000" + "0000" + "0000" + "00" + "000000");
        roundTrip(LbBackend.LAYOUT, new LbBackend(B, 8080, Protocols.UDP, LbBackend.STATE_TERMINATING),
                LbBackend::write, LbBackend::read, "0a000002" + "1f90" + "11" + "01");
        roundTrip(LbRevNatKey.LAYOUT, new LbRevNatKey(0x1234), LbRevNatKey::write, LbRevNatKey::read, "3412" + "0000");
        roundTrip(LbRevNat.LAYOUT, new LbRevNat(VIP, 53), LbRevNat::write, LbRevNat::read, "0a60000a" + "0035" + "0000");
        roundTrip(LbAffinityKey.LAYOUT, LbAffinityKey.ofAddress(A, 9), LbAffinityKey::write, LbAffinityKey::read,
                "0a00000100000000" + "0900" + "00" + "0000000000");
        roundTrip(LbAffinityKey.LAYOUT, LbAffinityKey.ofNetns(0x4000L, 9), LbAffinityKey::write, LbAffinityKey::read,
                "0040000000000000" + "0900" + "01" + "0000000000");
        roundTrip(LbAffinity.LAYOUT, new LbAffinity(5, 1000), LbAffinity::write, LbAffinity::read, "05000000" + "e8030000");
        roundTrip(LbSockKey.LAYOUT, new LbSockKey(0x11L, B, 8080), LbSockKey::write, LbSockKey::read,
                "1100000000000000" + "0a000002" + "1f90" + "0000");
        roundTrip(LbSock.LAYOUT, new LbSock(VIP, 80, 7), LbSock::write, LbSock::read, "0a60000a" + "0050" + "0700");
        roundTrip(LbNetns.LAYOUT, new LbNetns(12), LbNetns::write, LbNetns::read, "0c000000" + "00000000");
        assertThat(LbAffinityKey.ofAddress(A, 9).address()).isEqualTo(A);
        assertThatThrownBy(() -> LbAffinityKey.ofNetns(5, 1).address()).hasMessageContaining("names a namespace");
    }

    @Test
    void lbText() {
        assertThat(new LbKey(VIP, 80, Protocols.TCP, 0, 2).toString()).isEqualTo("10.96.0.10:80/tcp slot=2");
        assertThat(new LbKey(VIP, 30080, Protocols.UDP, LbService.SCOPE_EXTERNAL, 0).frontendString())
                .isEqualTo("10.96.0.10:30080/udp external");
        LbService svc = LbService.service(2, 7, LbService.F_NODEPORT | LbService.F_LOCAL | LbService.F_AFFINITY, 60);
        assertThat(svc.toString()).isEqualTo("count=2 revnat=7 flags=nodeport,affinity,local affinity_timeout=60s");
        assertThat(svc.kind()).isEqualTo("NodePort");
        assertThat(LbService.backend(9).toString()).isEqualTo("backend=9");
        assertThat(new LbBackend(B, 8080, Protocols.TCP, 1).toString()).isEqualTo("10.0.0.2:8080/tcp terminating");
        assertThat(new LbRevNat(VIP, 80).toString()).isEqualTo("10.96.0.10:80");
        assertThat(LbAffinityKey.ofAddress(A, 9).toString()).isEqualTo("client=10.0.0.1 revnat=9");
        assertThat(LbNetns.NODE.toString()).isEqualTo("node");
        assertThat(new LbFrontend(LbKey.frontend(VIP, 80, 6), LbService.service(1, 7, LbService.F_CLUSTER_IP, 0),
                List.of(4L)).toString()).isEqualTo("10.96.0.10:80/tcp count=1 revnat=7 flags=clusterip backends=[4]");
    }

    @Test
    void impossibleServicesAreRefused() {
        LbKey k0 = LbKey.frontend(VIP, 80, Protocols.TCP);
        LbService ok = LbService.service(2, 7, LbService.F_CLUSTER_IP, 0);
        assertThat(LbServicesMap.problem(k0, ok)).isNull();
        assertThat(LbServicesMap.problem(k0, LbService.service(0, 0, LbService.F_CLUSTER_IP, 0)))
                .as("no backends: the datapath refuses connections, no reverse NAT needed").isNull();
        assertThat(LbServicesMap.problem(k0, LbService.service(2, 0, LbService.F_CLUSTER_IP, 0)))
                .contains("count 2 with rev_nat_index 0");
        assertThat(LbServicesMap.problem(k0, LbService.service(1, 7, 0, 0))).contains("exactly one frontend kind");
        assertThat(LbServicesMap.problem(k0, LbService.service(1, 7, LbService.F_CLUSTER_IP | LbService.F_NODEPORT, 0)))
                .contains("exactly one frontend kind");
        assertThat(LbServicesMap.problem(k0, LbService.service(1, 7, LbService.F_CLUSTER_IP | LbService.F_AFFINITY, 0)))
                .contains("affinity without a timeout");
        assertThat(LbServicesMap.problem(k0, LbService.service(1, 7, LbService.F_CLUSTER_IP, 30)))
                .contains("without the affinity flag");
        assertThat(LbServicesMap.problem(k0, LbService.service(1, 7, 0x41, 0))).contains("unknown flag bits 0x40");
        assertThat(LbServicesMap.problem(k0, new LbService(3, 0, 1, 7, LbService.F_CLUSTER_IP))).contains("slot 0 carries backend_id 3");
        assertThat(LbServicesMap.problem(k0.withSlot(1), LbService.backend(3))).isNull();
        assertThat(LbServicesMap.problem(k0.withSlot(1), LbService.backend(0))).contains("backend slot 1 with backend_id 0");
        assertThat(LbServicesMap.problem(k0.withSlot(1), new LbService(3, 0, 2, 7, LbService.F_CLUSTER_IP))).contains("carries service fields");
        assertThat(LbServicesMap.problem(LbKey.frontend(VIP, 0, 6), ok)).contains("frontend port 0");
        assertThat(LbServicesMap.problem(LbKey.frontend(VIP, 80, Protocols.SCTP), ok)).contains("only tcp and udp");
        assertThat(LbServicesMap.problem(LbKey.frontend(Ipv4.ANY, 80, 6), ok)).contains("not a unicast");
        assertThat(LbServicesMap.problem(new LbKey(VIP, 80, 6, 2, 0), ok)).contains("unknown scope 2");

        assertThat(LbBackendsMap.problem(1, LbBackend.active(B, 8080, 6))).isNull();
        assertThat(LbBackendsMap.problem(0, LbBackend.active(B, 8080, 6))).contains("backend id 0 outside");
        assertThat(LbBackendsMap.problem(1L << 32, LbBackend.active(B, 8080, 6))).contains("outside 1..4294967295");
        assertThat(LbBackendsMap.problem(1, LbBackend.active(B, 0, 6))).contains("port 0");
        assertThat(LbBackendsMap.problem(1, LbBackend.active(B, 80, 1))).contains("only tcp and udp");
        assertThat(LbBackendsMap.problem(1, new LbBackend(B, 80, 6, 7))).contains("unknown state 7");
        assertThat(LbBackendsMap.problem(1, LbBackend.active(Ipv4.parse("224.0.0.1"), 80, 6))).contains("not a unicast");

        assertThat(LbRevNatMap.problem(new LbRevNatKey(7), new LbRevNat(VIP, 80))).isNull();
        assertThat(LbRevNatMap.problem(new LbRevNatKey(0), new LbRevNat(VIP, 80))).contains("index 0");
        assertThat(LbRevNatMap.problem(new LbRevNatKey(7), new LbRevNat(VIP, 0))).contains("port 0");
        assertThatThrownBy(() -> new LbKey(VIP, 80, 6, 0, 65536)).hasMessageContaining("lb_key.slot 65536");
        assertThatThrownBy(() -> LbService.service(65536, 1, 1, 0)).hasMessageContaining("lb_service.count");
        assertThatThrownBy(() -> new LbNetns(-1)).hasMessageContaining("lb_netns.endpoint_id");
    }

    @Test
    void groupingSnapshotsIntoFrontends() {
        LbKey web = LbKey.frontend(VIP, 80, 6), dns = LbKey.frontend(Ipv4.parse("10.96.0.2"), 53, 17);
        List<MapEntry<LbKey, LbService>> snapshot = List.of(
                new MapEntry<>(web.withSlot(2), LbService.backend(12)),
                new MapEntry<>(web, LbService.service(3, 1, LbService.F_CLUSTER_IP, 0)),
                new MapEntry<>(dns, LbService.service(0, 2, LbService.F_CLUSTER_IP, 0)),
                new MapEntry<>(web.withSlot(1), LbService.backend(11)),
                new MapEntry<>(LbKey.frontend(B, 9, 6).withSlot(1), LbService.backend(5)));
        List<LbFrontend> f = LbServicesMap.group(snapshot);
        assertThat(f).extracting(x -> x.key()).containsExactly(dns, web);
        assertThat(f.get(1).backendIds()).as("slot 3 is missing from the snapshot").containsExactly(11L, 12L, 0L);
        assertThat(f.get(0).backendIds()).isEmpty();
    }

    @Test
    void snatRecords() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are written for x86");
        Inet4Address node = Ipv4.parse("192.168.50.2"), out = Ipv4.parse("1.1.1.1");
        SnatKey k = new SnatKey(A, out, 40000, 443, Protocols.TCP, SnatKey.DIR_OUT);
        roundTrip(SnatKey.LAYOUT, k, SnatKey::write, SnatKey::read, "0a000001" + "01010101" + "9c40" + "01bb" + "06" + "00" + "0000");
        SnatEntry e = new SnatEntry(node, 61000, SnatEntry.F_NODEPORT, VIP, 30080, 200, 100);
        roundTrip(SnatEntry.LAYOUT, e, SnatEntry::write, SnatEntry::read,
                "c0a83202" + "ee48" + "0100" + "0a60000a" + "7580" + "0000" + "c8000000" + "64000000");
        roundTrip(NonMasqKey.LAYOUT, new NonMasqKey(Ipv4Prefix.parse("172.16.0.0/12")), NonMasqKey::write,
                NonMasqKey::read, "0c000000" + "ac100000");
        roundTrip(NonMasqInfo.LAYOUT, NonMasqInfo.NONE, NonMasqInfo::write, NonMasqInfo::read, "00000000");
        assertThat(k.toString()).isEqualTo("out 10.0.0.1:40000 -> 1.1.1.1:443 tcp");
        assertThat(e.toString()).isEqualTo("to=192.168.50.2:61000 nodeport rev=10.96.0.10:30080 created=100 expires=200");
        SnatKey in = new SnatKey(out, node, 443, 61000, Protocols.TCP, SnatKey.DIR_IN);
        assertThat(SnatMap.problem(in, e)).isNull();
        assertThat(SnatMap.problem(k, e)).contains("nodeport flag belongs on IN entries");
        assertThat(SnatMap.problem(new SnatKey(A, out, 1, 2, 6, 2), e)).contains("unknown direction 2");
        assertThat(SnatMap.problem(in, new SnatEntry(Ipv4.ANY, 1, 0, Ipv4.ANY, 0, 1, 0))).contains("to_addr 0.0.0.0");
        assertThat(SnatMap.problem(in, new SnatEntry(node, 1, 4, Ipv4.ANY, 0, 1, 0))).contains("unknown flag bits 0x4");
        assertThat(e.expired(200)).isFalse();
        assertThat(e.expired(201)).isTrue();
    }
}
