package io.twill.bpf;

import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Without the capabilities, errors say which ones are missing. Capabilities are per thread on Linux, so the test drops
 * them from the effective set of a throw-away thread only.
 */
@PrivilegedTest
class PermissionPrivilegedIT {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CAPGET = LINKER.downcallHandle(LINKER.defaultLookup().find("capget").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CAPSET = LINKER.downcallHandle(LINKER.defaultLookup().find("capset").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final int CAP_V3 = 0x20080522, CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    @RegisterExtension
    final NetNsExtension netns = new NetNsExtension();

    @BeforeAll
    static void warmUp() {
        TestBpf.warmUp();
    }

    @Test
    void loadingWithoutCapBpfNamesTheCapability() {
        assertThatThrownBy(() -> withoutCaps(() -> TestBpf.spec("tc_count").load()))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("EPERM (Operation not permitted)")
                .hasMessageContaining("CAP_BPF");
    }

    @Test
    void attachingWithoutCapNetAdminNamesTheCapability() {
        TestNamespace ns = netns.create("perm");
        ns.exec("ip", "link", "add", "pa", "type", "veth", "peer", "name", "pb");
        try (BpfObject obj = TestBpf.spec("tc_count").load()) {
            assertThatThrownBy(() -> ns.call(() -> withoutCaps(() -> Tc.attach("pa", TcDirection.INGRESS,
                    obj.program("count_a"), TcAttachOptions.defaults().withMode(TcMode.CLS_BPF)))))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("bpf_tc_hook_create(pa ingress): EPERM")
                    .hasMessageContaining("CAP_NET_ADMIN");
            assertThat(ns.exec("tc", "qdisc", "show", "dev", "pa").stdout()).doesNotContain("clsact");
        }
    }

    /** Runs {@code task} on the calling thread with CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN dropped. */
    private static <T> T withoutCaps(Callable<T> task) throws Exception {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                dropCaps();
                result[0] = task.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.join();
        if (failure[0] instanceof Exception e) throw e;
        if (failure[0] instanceof Error e) throw e;
        if (failure[0] != null) throw new IllegalStateException(failure[0]);
        @SuppressWarnings("unchecked") T r = (T) result[0];
        return r;
    }

    private static void dropCaps() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment hdr = a.allocate(8), data = a.allocate(24);
            hdr.set(JAVA_INT, 0, CAP_V3);
            if ((int) CAPGET.invokeExact(hdr, data) != 0) throw new IllegalStateException("capget failed");
            int low = data.get(JAVA_INT, 0) & ~(1 << CAP_NET_ADMIN) & ~(1 << CAP_SYS_ADMIN);
            int high = data.get(JAVA_INT, 12) & ~(1 << (CAP_BPF - 32)) & ~(1 << (CAP_PERFMON - 32));
            data.set(JAVA_INT, 0, low);   // effective, caps 0..31
            data.set(JAVA_INT, 12, high); // effective, caps 32..63
            if ((int) CAPSET.invokeExact(hdr, data) != 0) throw new IllegalStateException("capset failed");
        }
    }
}
