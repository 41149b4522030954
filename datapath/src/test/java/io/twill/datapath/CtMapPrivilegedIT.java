package io.twill.datapath;

import io.twill.bpf.BpfMap;
import io.twill.bpf.TestRunResult;
import io.twill.bpf.UpdateFlag;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import io.twill.maps.MapEntry;
import io.twill.maps.MapScan;
import io.twill.maps.Protocols;
import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.ct.CtMap;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static io.twill.datapath.Packets.TC_ACT_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * twill_ct as the datapath leaves it: bpf_lxc run on crafted packets records connections, which CtMap finds with the
 * keys it computes, whose clock agrees with {@link CtMap#monotonicSeconds()}, and which sweep, purge and flush remove
 * (in batches on the real LRU hash, and by iteration).
 */
@PrivilegedTest
class CtMapPrivilegedIT {
    @RegisterExtension final PinRoots pins = new PinRoots();
    @RegisterExtension final FdLeakExtension fds = new FdLeakExtension();

    static final Inet4Address NODE = Ipv4.parse("192.168.201.1");
    static final Inet4Address A = Ipv4.parse("10.201.1.2"), B = Ipv4.parse("10.201.1.3");
    static final MacAddress A_MAC = MacAddress.parse("02:aa:00:00:01:01"), A_LXC = MacAddress.parse("02:aa:00:00:01:02");
    static final MacAddress B_MAC = MacAddress.parse("02:bb:00:00:01:01"), B_LXC = MacAddress.parse("02:bb:00:00:01:02");
    static final int LOOPBACK = 1;

    Datapath dp;
    Path root;
    CtMap ct;

    @BeforeEach
    void setup() {
        root = pins.create("ct");
        dp = Datapath.load(DatapathConfig.overlay(NODE, Ipv4Prefix.parse("10.201.0.0/16"), 4242), root);
        // Both pods "behind" the loopback device, where test runs deliver packets, so each may send.
        dp.endpoints().put(A, EndpointInfo.pod(LOOPBACK, 1, A_MAC, A_LXC));
        dp.endpoints().put(B, EndpointInfo.pod(LOOPBACK, 2, B_MAC, B_LXC));
        dp.tunnel().put(Ipv4Prefix.parse("10.201.1.0/24"), NODE);
        ct = CtMap.openPinned(root);
    }

    @AfterEach
    void close() {
        try {
            if (ct != null) ct.close();
        } finally {
            if (dp != null) dp.close();
        }
    }

    private TestRunResult send(Inet4Address from, MacAddress fromMac, MacAddress lxc, Inet4Address to, int sport, int dport) {
        return dp.program(Datapath.FROM_CONTAINER).testRun(Packets.udp(fromMac, lxc, from, to, 64, sport, dport, 16));
    }

    @Test
    void theDatapathsEntriesAreFoundAndItsClockIsMonotonicSeconds() {
        assertThat(ct.bpfMap().type()).as("an LRU hash").isEqualTo(9);
        assertThat(ct.bpfMap().maxEntries()).isEqualTo(CtMap.DEFAULT_MAX_ENTRIES);
        long before = CtMap.monotonicSeconds();
        assertThat(send(A, A_MAC, A_LXC, B, 40000, 53).retval()).isEqualTo(TC_ACT_REDIRECT);
        long after = CtMap.monotonicSeconds();

        CtKey key = CtKey.ofPacket(A, 40000, B, 53, Protocols.UDP, 0);
        CtEntry e = ct.lookup(key).orElseThrow(() -> new AssertionError("no entry for " + key + " in " + ct.entries()));
        // bpf_ktime_get_coarse_ns lags CLOCK_MONOTONIC by at most a tick: created may read one second early.
        assertThat(e.created()).as("created (datapath clock) vs monotonicSeconds() " + before + ".." + after)
                .isBetween(before - 1, after);
        assertThat(e.expires()).as("UDP lifetime cfg_ct_lifetime_other = 60 s").isEqualTo(e.created() + 60);
        assertThat(e.initiator(key)).isEqualTo("10.201.1.2:40000");
        assertThat(e.responder(key)).isEqualTo("10.201.1.3:53");
        assertThat(e.packetsFwd()).isEqualTo(1);
        assertThat(e.bytesFwd()).isEqualTo(14 + 20 + 8 + 16);
        assertThat(e.has(CtEntry.F_SEEN_REPLY)).isFalse();

        // The reply, the other way round, is counted on the same entry.
        assertThat(send(B, B_MAC, B_LXC, A, 53, 40000).retval()).isEqualTo(TC_ACT_REDIRECT);
        CtEntry replied = ct.lookup(key).orElseThrow();
        assertThat(replied.packetsRev()).isEqualTo(1);
        assertThat(replied.has(CtEntry.F_SEEN_REPLY)).isTrue();
        assertThat(replied.initiator(key)).as("still A, whichever end sorts first").isEqualTo("10.201.1.2:40000");

        assertThat(ct.sweep(replied.expires())).as("not expired at its expiry second").isZero();
        assertThat(ct.sweep(replied.expires() + 1)).isEqualTo(1);
        assertThat(ct.lookup(key)).isEmpty();
    }

    /** Writes {@code n} entries between 10.202.x.y pairs; every odd one expired at {@code now}. */
    private void fill(int n, long now) {
        for (int i = 0; i < n; i++) {
            Inet4Address src = Ipv4.fromInt(Ipv4.toInt(Ipv4.parse("10.202.0.0")) + i);
            CtKey k = CtKey.ofPacket(src, 1024 + i % 50000, B, 80, Protocols.TCP, 0);
            long expires = (i % 2 == 1) ? now - 1 : now + 100;
            ct.update(k, new CtEntry(1, 60, 0, 0, expires, now - 200, 0, 0, 0, 0, 0x02, 0), UpdateFlag.ANY);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MapScan.Mode.class, names = {"BATCH", "ITERATE"})
    void sweepDeletesExactlyTheExpiredEntries(MapScan.Mode mode) {
        long now = 100_000;
        fill(5000, now);
        assertThat(ct.entries()).hasSize(5000);
        assertThat(ct.sweep(now, mode)).isEqualTo(2500);
        assertThat(ct.entries()).hasSize(2500).allMatch(e -> !e.value().expired(now));
        assertThat(ct.sweep(now, mode)).isZero();
    }

    @Test
    void anEntryGoneBeforeItsBatchDeleteIsSkippedAndTheRestDeleted() {
        long now = 100_000;
        fill(3000, now);
        AtomicInteger stolen = new AtomicInteger();
        try (BpfMap second = BpfMap.openPinned(root.resolve(CtMap.MAP_NAME)); CtMap other = CtMap.of(second)) {
            // Every 100th doomed entry disappears between the batch read and the batch delete (as the datapath's LRU
            // or a concurrent sweep would make it): the kernel stops the delete batch there, the rest must still go.
            int deleted = MapScan.deleteWhere(ct, keyStruct(), valueStruct(), (k, v) -> {
                if (!v.expired(now)) return false;
                if (stolen.incrementAndGet() % 100 == 0) assertThat(other.delete(k)).isTrue();
                return true;
            }, MapScan.Mode.BATCH);
            assertThat(deleted + stolen.get() / 100).isEqualTo(1500);
        }
        assertThat(ct.entries()).hasSize(1500).allMatch(e -> !e.value().expired(now));
    }

    @Test
    void purgeAndFlush() {
        long now = CtMap.monotonicSeconds();
        send(A, A_MAC, A_LXC, B, 40001, 53);
        send(B, B_MAC, B_LXC, Ipv4.parse("192.0.2.9"), 5000, 443);
        fill(10, now);
        assertThat(ct.entries()).hasSize(12);
        assertThat(ct.purge(k -> k.involves(A))).isEqualTo(1);
        assertThat(ct.purge(k -> k.involves(A))).isZero();
        Optional<MapEntry<CtKey, CtEntry>> toOutside = ct.entries().stream()
                .filter(e -> e.key().involves(Ipv4.parse("192.0.2.9"))).findFirst();
        assertThat(toOutside).isPresent();
        assertThat(toOutside.get().value().initiator(toOutside.get().key())).isEqualTo("10.201.1.3:5000");
        assertThat(ct.flush()).isEqualTo(11);
        assertThat(ct.entries()).isEmpty();
        assertThat(ct.flush()).isZero();
    }

    private static io.twill.maps.Struct<CtKey> keyStruct() {
        return new io.twill.maps.Struct<>(CtKey.LAYOUT, CtKey::read, CtKey::write);
    }

    private static io.twill.maps.Struct<CtEntry> valueStruct() {
        return new io.twill.maps.Struct<>(CtEntry.LAYOUT, CtEntry::read, CtEntry::write);
    }
}
