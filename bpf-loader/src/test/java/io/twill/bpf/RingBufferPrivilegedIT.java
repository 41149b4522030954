package io.twill.bpf;

import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Events a program emits into a ringbuf map arrive in Java, from test runs and from real traffic. */
@PrivilegedTest
@ExtendWith(FdLeakExtension.class)
class RingBufferPrivilegedIT {
    @RegisterExtension
    final NetNsExtension netns = new NetNsExtension();

    record Event(int len, int ifindex, long seq, int magic) {
        static Event of(MemorySegment s) {
            return new Event(s.get(JAVA_INT, 0), s.get(JAVA_INT, 4), s.get(JAVA_LONG, 8), s.get(JAVA_INT, 16));
        }
    }

    @BeforeAll
    static void warmUp() {
        TestBpf.warmUp();
    }

    @Test
    void eventsFromTestRunsArriveInOrder() {
        try (BpfObject obj = TestBpf.spec("tc_events").withConstant("magic", 0x1234).load()) {
            List<Event> events = new ArrayList<>();
            try (RingBuffer rb = RingBuffer.open(obj.map("events"), seg -> events.add(Event.of(seg)))) {
                assertThat(rb.poll(Duration.ofMillis(10))).isZero();
                for (int i = 0; i < 10; i++) obj.program("emit").testRun(TestBpf.icmpEcho());
                int got = 0;
                for (int i = 0; i < 50 && got < 10; i++) got += rb.poll(Duration.ofMillis(100));
                assertThat(got).isEqualTo(10);
                assertThat(events).extracting(Event::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
                assertThat(events).allSatisfy(e -> {
                    assertThat(e.len()).isEqualTo(42);
                    assertThat(e.magic()).isEqualTo(0x1234);
                });
                assertThat(rb.consume()).isZero();
                assertThat(rb.epollFd()).isPositive();
            }
        }
    }

    @Test
    void aThrowingCallbackIsCountedNotFatal() {
        try (BpfObject obj = TestBpf.spec("tc_events").load();
             RingBuffer rb = RingBuffer.open(obj.map("events"), seg -> { throw new IllegalStateException("boom"); })) {
            for (int i = 0; i < 3; i++) obj.program("emit").testRun(TestBpf.icmpEcho());
            assertThat(rb.consume()).isEqualTo(3);
            assertThat(rb.callbackFailures()).isEqualTo(3);
        }
    }

    @Test
    void onlyRingbufMapsCanBeOpened() {
        try (BpfObject obj = TestBpf.spec("tc_events").load()) {
            assertThatThrownBy(() -> RingBuffer.open(obj.map("seq"), s -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a ringbuf");
        }
    }

    @Test
    void eventsFromRealTrafficCarryTheDevice() {
        TestNamespace a = netns.create("rba"), b = netns.create("rbb");
        a.exec("ip", "link", "add", "ra", "type", "veth", "peer", "name", "rb", "netns", b.name());
        a.exec("ip", "addr", "add", "10.202.0.1/24", "dev", "ra");
        b.exec("ip", "addr", "add", "10.202.0.2/24", "dev", "rb");
        a.exec("ip", "link", "set", "ra", "up");
        b.exec("ip", "link", "set", "rb", "up");
        int ifindex = b.call(() -> Tc.ifindex("rb"));
        try (BpfObject obj = TestBpf.spec("tc_events").load()) {
            List<byte[]> events = new ArrayList<>();
            try (RingBuffer rb = RingBuffer.openBytes(obj.map("events"), events::add);
                 TcAttachment att = b.call(() -> Tc.attach("rb", TcDirection.INGRESS, obj.program("emit"),
                         TcAttachOptions.defaults()))) {
                a.exec("ping", "-c", "3", "-i", "0.01", "-W", "2", "10.202.0.2");
                for (int i = 0; i < 20 && events.size() < 3; i++) rb.poll(Duration.ofMillis(100));
                assertThat(events.size()).isGreaterThanOrEqualTo(3); // echo requests, plus ARP/ND
                assertThat(events).allSatisfy(e ->
                        assertThat(ByteBuffer.wrap(e).order(ByteOrder.nativeOrder()).getInt(4)).isEqualTo(ifindex));
                b.run(att::close);
            }
        }
    }
}
