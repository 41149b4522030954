package io.twill.agent;

import io.twill.bpf.Features;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the agent needs before it touches the kernel, checked up front so a missing piece fails with a clear sentence. */
public final class Preflight {
    static final int CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21, CAP_BPF = 39;

    private Preflight() {}

    /** Empty when the agent can run; otherwise one sentence per problem. */
    public static List<String> problems() {
        List<String> p = new ArrayList<>();
        BigInteger caps = effectiveCaps();
        List<String> missing = new ArrayList<>();
        if (!caps.testBit(CAP_NET_ADMIN)) missing.add("CAP_NET_ADMIN (devices, routes, TC)");
        if (!caps.testBit(CAP_BPF) && !caps.testBit(CAP_SYS_ADMIN)) missing.add("CAP_BPF (loading programs, maps)");
        if (!caps.testBit(CAP_SYS_ADMIN)) missing.add("CAP_SYS_ADMIN (entering pod namespaces, mounting bpffs)");
        if (!missing.isEmpty()) {
            p.add("twill-agent lacks " + String.join(", ", missing) + ": run it as root (a privileged DaemonSet pod)");
        }
        if (!Features.libbpfAvailable()) {
            p.add("libbpf is not usable: " + Features.libbpfUnavailabilityCause()
                    + " (install libbpf1 >= 1.1: apt-get install libbpf1)");
        }
        if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) {
            p.add("the kernel has no BTF (/sys/kernel/btf/vmlinux is missing): a kernel built with CONFIG_DEBUG_INFO_BTF is needed");
        }
        return p;
    }

    static BigInteger effectiveCaps() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:")).map(l -> new BigInteger(l.substring(7).strip(), 16))
                    .findFirst().orElse(BigInteger.ZERO);
        } catch (IOException e) {
            return BigInteger.ZERO;
        }
    }
}
