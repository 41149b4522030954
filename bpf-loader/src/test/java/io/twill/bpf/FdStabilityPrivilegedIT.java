package io.twill.bpf;

import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A thousand open/use/close cycles of every owner leave the process's descriptor count where it was. */
@PrivilegedTest
class FdStabilityPrivilegedIT {
    private static final int CYCLES = 1000;

    @RegisterExtension
    final NetNsExtension netns = new NetNsExtension();

    @BeforeAll
    static void warmUp() {
        TestBpf.warmUp();
    }

    @Test
    void objectsLoadedAndClosed() {
        int before = FdLeakExtension.count();
        for (int i = 0; i < CYCLES; i++) {
            try (BpfObject obj = TestBpf.spec("tc_count").withConstant("slot_base", i % 3).load()) {
                obj.program("count_a").testRun(TestBpf.icmpEcho());
                obj.takeMap("counts").close();
            }
        }
        assertThat(FdLeakExtension.count()).isEqualTo(before);
    }

    @Test
    void failedLoadsReleaseEverything() {
        int before = FdLeakExtension.count();
        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(() -> TestBpf.spec("tc_reject").load()).isInstanceOf(VerifierException.class);
            assertThatThrownBy(() -> TestBpf.spec("tc_count").withConstant("nope", 1).load()).isInstanceOf(BpfException.class);
        }
        assertThat(FdLeakExtension.count()).isEqualTo(before);
    }

    @Test
    void pinnedMapsOpenedAndRingBuffers() {
        try (TestBpf.Bpffs fs = new TestBpf.Bpffs(); BpfObject obj = TestBpf.spec("tc_events").load()) {
            obj.map("seq").pin(fs.resolve("seq"));
            int before = FdLeakExtension.count();
            for (int i = 0; i < CYCLES; i++) {
                try (BpfMap m = BpfMap.openPinned(fs.resolve("seq"))) {
                    assertThat(m.keySize()).isEqualTo(4);
                }
                try (RingBuffer rb = RingBuffer.open(obj.map("events"), s -> { })) {
                    rb.poll(Duration.ZERO);
                }
            }
            assertThat(FdLeakExtension.count()).isEqualTo(before);
        }
    }

    @Test
    void attachmentsMadeAndRemoved() {
        TestNamespace ns = netns.create("fd");
        ns.exec("ip", "link", "add", "fa", "type", "veth", "peer", "name", "fb");
        ns.exec("ip", "link", "set", "fa", "up");
        try (BpfObject obj = TestBpf.spec("tc_count").load()) {
            ns.run(() -> {
                int before = FdLeakExtension.count();
                for (int i = 0; i < CYCLES; i++) {
                    try (TcAttachment t = Tc.attach("fa", TcDirection.INGRESS, obj.program("count_a"),
                            TcAttachOptions.defaults().withMode(TcMode.CLS_BPF))) {
                        t.replace(obj.program("count_b"));
                    }
                    if (Features.tcx()) {
                        try (TcAttachment t = Tc.attach("fa", TcDirection.EGRESS, obj.program("count_a"),
                                TcAttachOptions.defaults().withMode(TcMode.TCX))) {
                            t.replace(obj.program("count_b"));
                        }
                    }
                }
                assertThat(FdLeakExtension.count()).isEqualTo(before);
            });
        }
    }
}
