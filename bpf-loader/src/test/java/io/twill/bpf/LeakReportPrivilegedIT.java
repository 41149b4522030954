package io.twill.bpf;

import io.twill.bpf.internal.Leaks;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Owners dropped without close() are reported (only reported: their descriptors stay open, so this class does
 * not use FdLeakExtension and leaks a handful of descriptors on purpose).
 */
@PrivilegedTest
class LeakReportPrivilegedIT {

    @Test
    void unclosedOwnersAreLoggedWhenCollected() throws InterruptedException {
        long before = Leaks.reported();
        leakSome();
        for (int i = 0; i < 200 && Leaks.reported() < before + 4; i++) {
            System.gc();
            Thread.sleep(25);
        }
        assertThat(Leaks.reported() - before).isGreaterThanOrEqualTo(4);
    }

    @Test
    void closedOwnersAreNot() throws InterruptedException {
        long before = Leaks.reported();
        try (BpfObject obj = TestBpf.spec("tc_events").load()) {
            obj.takeMap("seq").close();
            obj.takeProgram("emit").close();
            RingBuffer.open(obj.map("events"), s -> { }).close();
        }
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(Leaks.reported()).isEqualTo(before);
    }

    /** Makes an object, a taken map, a taken program and a ring buffer, and forgets them. */
    private static void leakSome() {
        BpfObject obj = TestBpf.spec("tc_events").load();
        obj.takeMap("seq");
        obj.takeProgram("emit");
        RingBuffer.open(obj.map("events"), s -> { });
    }
}
