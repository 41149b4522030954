package io.twill.bpf;

import io.twill.bpf.internal.ErrorText;
import io.twill.bpf.internal.Libbpf;
import io.twill.types.Errno;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What needs neither root nor a kernel: the library gate, error texts, and validation of the value types. */
class ApiTest {

    @Test
    void libbpfIsAvailableAndRecentEnough() {
        assertThat(Features.libbpfAvailable()).as(Features.libbpfUnavailabilityCause()).isTrue();
        assertThat(Features.libbpfUnavailabilityCause()).isNull();
        assertThat(Features.libbpfVersion()).matches("v?1\\.\\d+(\\.\\d+)?");
        assertThat(BpfMap.possibleCpus()).isPositive();
    }

    @Test
    void errorsReadOpObjectErrnoNameAndText() {
        BpfException e = Failures.fail("bpf_map_update_elem", "twill_endpoints", -Errno.EEXIST);
        assertThat(e).hasMessage("bpf_map_update_elem(twill_endpoints): EEXIST (File exists)");
        assertThat(e.errno()).isEqualTo(17);
        assertThat(e.errnoName()).isEqualTo("EEXIST");
        assertThat(e.op()).isEqualTo("bpf_map_update_elem");
        assertThat(e.object()).isEqualTo("twill_endpoints");
        assertThat(Failures.fail("bpf_prog_load", "bpf_lxc", -Errno.EPERM))
                .hasMessageStartingWith("bpf_prog_load(bpf_lxc): EPERM (Operation not permitted)")
                .hasMessageContaining("CAP_BPF").hasMessageContaining("CAP_NET_ADMIN");
        assertThat(Failures.fail("bpf_object__load", "x", -4007)).hasMessageContaining("LIBBPF_ERRNO__VERIFY");
        assertThat(Errno.name(9999)).isEqualTo("errno 9999");
        assertThat(ErrorText.tail("a\nb\n\nc\nd", 2)).isEqualTo("[... 2 lines before]\nc\nd");
    }

    @Test
    void libbpfsOwnWordsReachTheException() {
        // Opening needs no privileges, and libbpf explains the failure through the print callback.
        assertThatThrownBy(() -> ObjectSpec.fromFile(Path.of("/nonexistent/y.bpf.o")).load())
                .isInstanceOfSatisfying(BpfException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.libbpfLog()).contains("failed to open /nonexistent/y.bpf.o");
                })
                .hasMessageContaining("libbpf said:")
                .hasMessageContaining("failed to open /nonexistent/y.bpf.o");
    }

    @Test
    void objectSpecsValidateAndEncode() {
        assertThatThrownBy(() -> ObjectSpec.fromResource("/io/twill/bpf/test/nope.bpf.o"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no classpath resource /io/twill/bpf/test/nope.bpf.o");
        assertThatThrownBy(() -> ObjectSpec.fromBytes(" ", new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TestBpf.spec("tc_count").withMaxEntries("counts", 0))
                .hasMessageContaining("max_entries of counts must be positive");
        ObjectSpec s = TestBpf.spec("tc_count").withConstant("slot_base", 0x01020304).withConstant("only_icmp_echo", true)
                .withPinRoot(Path.of("/run/tw")).withObjectName("custom");
        byte[] v = s.constants().get("slot_base");
        assertThat(v).containsExactly(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? new byte[]{4, 3, 2, 1} : new byte[]{1, 2, 3, 4});
        assertThat(s.constants().get("only_icmp_echo")).containsExactly(1);
        assertThat(s.objectName()).isEqualTo("custom");
        assertThat(s.pinRoot()).contains(Path.of("/run/tw"));
        assertThat(TestBpf.spec("tc_count").objectName()).isEqualTo("tc_count");
        assertThat(s.toString()).contains("resource /io/twill/bpf/test/tc_count.bpf.o").contains("/run/tw");
    }

    @Test
    void attachOptionsSayWhatIsWrong() {
        TcAttachOptions d = TcAttachOptions.defaults();
        assertThat(d.mode()).isEqualTo(TcMode.AUTO);
        assertThat(d.onClose()).isEqualTo(OnClose.DETACH);
        assertThatThrownBy(() -> d.withOnClose(OnClose.KEEP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only when pinned");
        assertThat(d.withMode(TcMode.CLS_BPF).withOnClose(OnClose.KEEP).onClose()).isEqualTo(OnClose.KEEP);
        assertThat(d.withLinkPin(Path.of("/sys/fs/bpf/x")).withOnClose(OnClose.KEEP).linkPin()).isNotNull();
        assertThatThrownBy(() -> d.withHandleAndPriority(1, 70000)).hasMessageContaining("priority must be 1..65535");
        assertThatThrownBy(() -> d.withHandleAndPriority(0, 1)).hasMessageContaining("handle must be > 0");
        assertThat(TcDirection.INGRESS.tcxAttachType()).isEqualTo(46);
        assertThat(TcDirection.EGRESS.tcxAttachType()).isEqualTo(47);
        assertThat(TcDirection.EGRESS.tcAttachPoint()).isEqualTo(2);
    }

    @Test
    void testRunInputsAreValidatedAndCopied() {
        byte[] p = TestBpf.icmpEcho();
        TestRun r = TestRun.of(p);
        p[0] = 9;
        assertThat(r.data()[0]).isZero();
        assertThat(r.dataOutCapacity()).isEqualTo(42 + 256);
        assertThatThrownBy(() -> r.withRepeat(0)).hasMessageContaining("repeat must be >= 1");
        assertThat(Libbpf.isAvailable()).isTrue();
    }
}
