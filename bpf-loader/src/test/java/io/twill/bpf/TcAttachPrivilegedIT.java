package io.twill.bpf;

import io.twill.testkit.Cmd;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.Requires;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Attaching to a real device: two namespaces joined by a veth pair, tc_count on the ingress of one end, pings from
 * the other end counted and read from Java, atomic replacement under traffic, adoption of what a previous owner left
 * attached, detaching, and bpftool/tc confirming nothing is left.
 */
@PrivilegedTest
@ExtendWith(FdLeakExtension.class)
class TcAttachPrivilegedIT {
    @RegisterExtension
    final NetNsExtension netns = new NetNsExtension();

    private TestNamespace a;
    private TestNamespace b;

    @BeforeAll
    static void warmUp() {
        TestBpf.warmUp();
    }

    @BeforeEach
    void veth() {
        a = netns.create("tca");
        b = netns.create("tcb");
        a.exec("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.name());
        a.exec("ip", "addr", "add", "10.201.0.1/24", "dev", "va");
        b.exec("ip", "addr", "add", "10.201.0.2/24", "dev", "vb");
        a.exec("ip", "link", "set", "va", "up");
        b.exec("ip", "link", "set", "vb", "up");
    }

    static TcAttachOptions options(TcMode mode) {
        return TcAttachOptions.defaults().withMode(mode);
    }

    @ParameterizedTest
    @EnumSource(value = TcMode.class, names = {"CLS_BPF", "TCX"})
    void countsPingsAndDetachesCleanly(TcMode mode) {
        assumeTcx(mode);
        try (BpfObject obj = TestBpf.spec("tc_count").load()) {
            BpfProgram prog = obj.program("count_a");
            TcAttachment att = b.call(() -> Tc.attach("vb", TcDirection.INGRESS, prog, options(mode)));
            assertThat(att.kind()).isEqualTo(mode == TcMode.TCX ? TcAttachment.Kind.TCX : TcAttachment.Kind.CLS_BPF);
            assertThat(b.call(att::programId)).isEqualTo(prog.id());
            if (mode == TcMode.CLS_BPF) {
                assertThat(b.exec("tc", "filter", "show", "dev", "vb", "ingress").stdout())
                        .contains("count_a").contains("direct-action");
            } else {
                assertThat(Cmd.run("bpftool", "link", "show").stdout()).contains("prog " + prog.id());
            }

            a.exec("ping", "-c", "5", "-i", "0.01", "-W", "2", "10.201.0.2");
            assertThat(TestBpf.packets(obj.map("counts"), 0)).isEqualTo(5);

            b.run(att::close); // OnClose.DETACH
            b.run(att::close); // idempotent
            assertNothingAttached(prog);
            a.exec("ping", "-c", "2", "-i", "0.01", "-W", "2", "10.201.0.2");
            assertThat(TestBpf.packets(obj.map("counts"), 0)).isEqualTo(5);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TcMode.class, names = {"CLS_BPF", "TCX"})
    void replacesTheProgramAtomicallyWhilePingsFlow(TcMode mode) throws Exception {
        assumeTcx(mode);
        int count = 400;
        try (BpfObject obj = TestBpf.spec("tc_count").load()) {
            TcAttachment att = b.call(() -> Tc.attach("vb", TcDirection.INGRESS, obj.program("count_a"), options(mode)));
            CompletableFuture<Cmd.Result> ping = CompletableFuture.supplyAsync(() ->
                    a.tryExec("ping", "-c", Integer.toString(count), "-i", "0.01", "-W", "2", "10.201.0.2"));
            BpfMap counts = obj.map("counts");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (TestBpf.packets(counts, 0) < count / 4 && System.nanoTime() < deadline) Thread.sleep(10);
            b.run(() -> att.replace(obj.program("count_b")));
            assertThat(b.call(att::programId)).isEqualTo(obj.program("count_b").id());
            Cmd.Result r = ping.get(60, TimeUnit.SECONDS);
            assertThat(r.stdout()).contains(count + " packets transmitted, " + count + " received");
            long before = TestBpf.packets(counts, 0), after = TestBpf.packets(counts, 1);
            assertThat(before).as("counted by count_a").isPositive();
            assertThat(after).as("counted by count_b").isPositive();
            assertThat(before + after).as("every echo request counted exactly once").isEqualTo(count);
            b.run(att::detach);
            assertNothingAttached(obj.program("count_b"));
        }
    }

    @Test
    void aPinnedTcxLinkIsLeftRunningAndAdoptedByTheNextOwner() {
        Requires.kernelFeature("TCX (Linux 6.6)", Features.tcx());
        try (TestBpf.Bpffs fs = new TestBpf.Bpffs(); BpfObject obj = TestBpf.spec("tc_count").load()) {
            var pin = fs.resolve("vb_ingress");
            var keep = options(TcMode.TCX).withLinkPin(pin).withOnClose(OnClose.KEEP);
            TcAttachment first = b.call(() -> Tc.attach("vb", TcDirection.INGRESS, obj.program("count_a"), keep));
            int linkId = ((TcxAttachment) first).link().info().id();
            first.close(); // KEEP: the pin holds the link
            assertThat(Files.exists(pin)).isTrue();
            a.exec("ping", "-c", "3", "-i", "0.01", "-W", "2", "10.201.0.2");
            assertThat(TestBpf.packets(obj.map("counts"), 0)).isEqualTo(3);

            // "Restart": attaching with the same pin adopts the link and swaps the program in place.
            TcAttachment second = b.call(() -> Tc.attach("vb", TcDirection.INGRESS, obj.program("count_b"), keep));
            TcxAttachment tcx = (TcxAttachment) second;
            assertThat(tcx.link().info().id()).isEqualTo(linkId);
            assertThat(tcx.link().info().programId()).isEqualTo(obj.program("count_b").id());
            a.exec("ping", "-c", "2", "-i", "0.01", "-W", "2", "10.201.0.2");
            assertThat(TestBpf.packets(obj.map("counts"), 1)).isEqualTo(2);

            b.run(second::detach);
            second.close();
            assertThat(Files.exists(pin)).isFalse();
            assertNothingAttached(obj.program("count_b"));
        }
    }

    @Test
    void aClsBpfFilterLeftAttachedIsAdoptedAndReplaced() {
        try (BpfObject obj = TestBpf.spec("tc_count").load()) {
            var keep = options(TcMode.CLS_BPF).withOnClose(OnClose.KEEP).withHandleAndPriority(7, 3);
            TcAttachment first = b.call(() -> Tc.attach("vb", TcDirection.INGRESS, obj.program("count_a"), keep));
            first.close();
            assertThat(b.call(() -> Tc.queryClsBpf("vb", TcDirection.INGRESS, 7, 3))).hasValue(obj.program("count_a").id());

            int ifindex = b.call(() -> Tc.ifindex("vb"));
            ClsBpfAttachment adopted = b.call(() -> ClsBpfAttachment.adopt(ifindex, "vb", TcDirection.INGRESS, 7, 3,
                    OnClose.DETACH)).orElseThrow();
            b.run(() -> adopted.replace(obj.program("count_b")));
            a.exec("ping", "-c", "2", "-i", "0.01", "-W", "2", "10.201.0.2");
            assertThat(TestBpf.packets(obj.map("counts"), 1)).isEqualTo(2);
            b.run(adopted::detachAndDestroyHook);
            assertThat(b.exec("tc", "qdisc", "show", "dev", "vb").stdout()).doesNotContain("clsact");
            assertNothingAttached(obj.program("count_b"));
        }
    }

    @Test
    void attachingWithoutReplaceOntoAnOccupiedSlotIsRefused() {
        try (BpfObject obj = TestBpf.spec("tc_count").load()) {
            TcAttachment first = b.call(() -> Tc.attach("vb", TcDirection.EGRESS, obj.program("count_a"), options(TcMode.CLS_BPF)));
            assertThatThrownBy(() -> b.call(() -> Tc.attach("vb", TcDirection.EGRESS, obj.program("count_b"),
                    options(TcMode.CLS_BPF).withReplaceExisting(false))))
                    .isInstanceOf(BpfException.class)
                    .hasMessageStartingWith("bpf_tc_attach(count_b on vb egress): EEXIST")
                    .hasMessageContaining("set replaceExisting");
            b.run(first::close);
            assertNothingAttached(obj.program("count_a"));
        }
    }

    @Test
    void aMissingInterfaceIsNamed() {
        try (BpfObject obj = TestBpf.spec("tc_count").load()) {
            for (TcMode mode : new TcMode[]{TcMode.AUTO, TcMode.CLS_BPF}) {
                assertThatThrownBy(() -> b.call(() -> Tc.attach("nope0", TcDirection.INGRESS, obj.program("count_a"), options(mode))))
                        .isInstanceOf(BpfException.class)
                        .hasMessageStartingWith("if_nametoindex(nope0): ENODEV (No such device)")
                        .hasMessageContaining("no network interface 'nope0' in this thread's network namespace");
                assertThatThrownBy(() -> b.call(() -> Tc.attach(9999, TcDirection.INGRESS, obj.program("count_a"), options(mode))))
                        .isInstanceOf(BpfException.class)
                        .hasMessageContaining("no network interface with index 9999");
            }
            assertNothingAttached(obj.program("count_a"));
        }
    }

    /** Neither tc, bpftool net (inside the namespace) nor the link list shows anything of ours. */
    private void assertNothingAttached(BpfProgram prog) {
        assertThat(b.exec("tc", "filter", "show", "dev", "vb", "ingress").stdout()).isBlank();
        assertThat(b.exec("tc", "filter", "show", "dev", "vb", "egress").stdout()).isBlank();
        String net = b.exec("bpftool", "net", "show").stdout();
        assertThat(net).doesNotContain("vb(").doesNotContain(prog.name());
        assertThat(Cmd.run("bpftool", "link", "show").stdout()).doesNotContain("prog " + prog.id() + "\n")
                .doesNotContainPattern("prog " + prog.id() + "\\b");
    }

    private static void assumeTcx(TcMode mode) {
        if (mode == TcMode.TCX) Requires.kernelFeature("TCX (Linux 6.6)", Features.tcx());
    }
}
