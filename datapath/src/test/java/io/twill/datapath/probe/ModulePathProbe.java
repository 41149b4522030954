package io.twill.datapath.probe;

import io.twill.bpf.Features;
import io.twill.bpf.ObjectSpec;
import io.twill.datapath.Datapath;
import io.twill.netlink.RtNetlink;

/**
 * Run by {@code ModulePathIT} in a JVM that has the Twill modules on the module path, native access granted to
 * io.twill.bpf and io.twill.netlink only, and illegal native access denied. Prints one line per check; exits 1 on
 * the first that fails.
 */
public final class ModulePathProbe {
    private ModulePathProbe() {}

    public static void main(String[] args) throws Exception {
        check("io.twill.bpf is a named module", Features.class.getModule().getName().equals("io.twill.bpf"));
        check("io.twill.netlink is a named module", RtNetlink.class.getModule().getName().equals("io.twill.netlink"));
        check("io.twill.datapath is a named module", Datapath.class.getModule().getName().equals("io.twill.datapath"));
        check("io.twill.bpf.internal is not exported", !Features.class.getModule().isExported("io.twill.bpf.internal"));
        check("io.twill.netlink.internal is not exported",
                !RtNetlink.class.getModule().isExported("io.twill.netlink.internal"));
        try {
            Class.forName("io.twill.bpf.internal.Libbpf").getMethod("version").invoke(null);
            check("io.twill.bpf.internal.Libbpf refuses callers outside its module", false);
        } catch (IllegalAccessException expected) {
            check("io.twill.bpf.internal.Libbpf refuses callers outside its module", true);
        }
        // Restricted methods run inside the modules granted native access (libbpf loaded, a netlink socket opened).
        check("libbpf loads in io.twill.bpf (" + Features.libbpfUnavailabilityCause() + ")", Features.libbpfAvailable());
        try (RtNetlink n = RtNetlink.open()) {
            check("rtnetlink works in io.twill.netlink", n.link("lo").isPresent());
        }
        check("the datapath finds its objects on the class path",
                ObjectSpec.fromResource(Datapath.class, "/io/twill/bpf/" + Datapath.LXC_OBJECT + ".bpf.o") != null);
        System.out.println("ALL OK");
    }

    private static void check(String what, boolean ok) {
        System.out.println((ok ? "ok   " : "FAIL ") + what);
        if (!ok) System.exit(1);
    }
}
