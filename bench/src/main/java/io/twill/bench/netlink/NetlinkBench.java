package io.twill.bench.netlink;

import io.twill.netlink.Address;
import io.twill.netlink.Link;
import io.twill.netlink.Neighbour;
import io.twill.netlink.Route;
import io.twill.netlink.RtNetlink;
import io.twill.netlink.VethSpec;
import io.twill.testkit.Cmd;

import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Micro-benchmark of the CNI ADD/DEL network work: a veth with its peer created directly in a pod namespace, the
 * pod side configured (MAC, MTU, /32 address, gateway route, default route onlink with MTU, permanent neighbour,
 * up), the host side up with a /32 route to the pod; then DEL (delete the host end). Done through {@link RtNetlink}
 * and, in the same run, interleaved, by {@code ip} commands the way a shell-script plugin does it (one process per
 * step) and by two {@code ip -batch} processes (one per namespace). Both "host" and "pod" are namespaces made here;
 * the root namespace is never touched.
 *
 * <p>Usage: {@code NetlinkBench [rounds=200] [warmup=20] [--json FILE]}. Prints medians, p90, min and the ratios.
 */
public final class NetlinkBench {
    private static final String POD_IP = "10.200.0.5", GW = "10.200.0.1";
    private static final int MTU = 1500, ROUTE_MTU = 1450;

    private final String hostNs, podNs;
    private final Path podPath;
    private final MacAddress hostMac = MacAddress.parse("02:aa:00:00:00:01");
    private final MacAddress podMac = MacAddress.parse("02:bb:00:00:00:02");

    private NetlinkBench(String suffix) {
        this.hostNs = "twb-host-" + suffix;
        this.podNs = "twb-pod-" + suffix;
        this.podPath = Path.of("/run/netns", podNs);
    }

    public static void main(String[] args) throws Exception {
        int rounds = 200, warmup = 20;
        Path json = null;
        List<Integer> nums = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--json")) json = Path.of(args[++i]);
            else nums.add(Integer.parseInt(args[i]));
        }
        if (!nums.isEmpty()) rounds = nums.get(0);
        if (nums.size() > 1) warmup = nums.get(1);
        byte[] r = new byte[3];
        new SecureRandom().nextBytes(r);
        NetlinkBench b = new NetlinkBench(HexFormat.of().formatHex(r));
        Thread cleanup = new Thread(b::deleteNamespaces);
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            b.run(rounds, warmup, json);
        } finally {
            b.deleteNamespaces();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private void deleteNamespaces() {
        Cmd.tryRun("ip", "netns", "del", hostNs);
        Cmd.tryRun("ip", "netns", "del", podNs);
    }

    private void run(int rounds, int warmup, Path json) throws Exception {
        Cmd.run("ip", "netns", "add", hostNs);
        Cmd.run("ip", "netns", "add", podNs);
        Path batchHostAdd = Files.createTempFile("twb-host-add", ".ip"), batchPodAdd = Files.createTempFile("twb-pod-add", ".ip");
        Files.writeString(batchHostAdd, String.join("\n",
                "link add lxcbench mtu " + MTU + " address " + hostMac + " type veth peer name eth0 netns " + podNs
                        + " mtu " + MTU + " address " + podMac,
                "link set lxcbench up",
                "route add " + POD_IP + "/32 dev lxcbench proto static scope link") + "\n");
        Files.writeString(batchPodAdd, String.join("\n",
                "addr add " + POD_IP + "/32 dev eth0",
                "link set eth0 up",
                "route add " + GW + "/32 dev eth0 proto static scope link",
                "route add default via " + GW + " dev eth0 proto static onlink mtu " + ROUTE_MTU,
                "neigh add " + GW + " lladdr " + hostMac + " dev eth0 nud permanent") + "\n");
        Map<String, List<Long>> t = new LinkedHashMap<>();
        for (String k : List.of("twill.add", "twill.del", "ip.add", "ip.del", "ipbatch.add", "ipbatch.del",
                "twill.add.createVeth", "twill.add.openPodSocket", "twill.add.podConfig", "twill.add.hostRoute")) {
            t.put(k, new ArrayList<>());
        }
        try (RtNetlink host = RtNetlink.openIn(Path.of("/run/netns", hostNs))) {
            for (int i = 0; i < warmup + rounds; i++) {
                boolean keep = i >= warmup;
                // rotate the order so that no variant always runs right after another's teardown
                for (int v = 0; v < 3; v++) {
                    switch ((i + v) % 3) {
                        case 0 -> twill(host, keep ? t : null);
                        case 1 -> ip(keep ? t : null);
                        default -> ipBatch(batchHostAdd, batchPodAdd, keep ? t : null);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(batchHostAdd);
            Files.deleteIfExists(batchPodAdd);
        }
        report(t, rounds, json);
    }

    private void twill(RtNetlink host, Map<String, List<Long>> t) throws Exception {
        Inet4Address podIp = (Inet4Address) InetAddress.getByName(POD_IP), gw = (Inet4Address) InetAddress.getByName(GW);
        long t0 = System.nanoTime();
        Link lxc = host.createVeth(VethSpec.of("lxcbench", "eth0", podPath).withMtu(MTU).withMac(hostMac)
                .withPeerMac(podMac).withUp(true, false));
        long t1 = System.nanoTime();
        long t2, t3;
        try (RtNetlink pod = RtNetlink.openIn(podPath)) {
            t2 = System.nanoTime();
            int eth0 = lxc.peerIndex();
            pod.addAddress(Address.of(eth0, podIp, 32));
            pod.setUp(eth0);
            pod.addRoute(Route.to(Ipv4Prefix.host(gw)).dev(eth0).build());
            pod.addRoute(Route.to(Ipv4Prefix.DEFAULT).via(gw).dev(eth0).onlink().mtu(ROUTE_MTU).build());
            pod.addNeighbour(Neighbour.permanent(eth0, gw, lxc.mac()));
            t3 = System.nanoTime();
        }
        host.addRoute(Route.to(Ipv4Prefix.host(podIp)).dev(lxc.index()).build());
        long t4 = System.nanoTime();
        if (!host.deleteLink(lxc.index())) throw new IllegalStateException("lxcbench vanished");
        long t5 = System.nanoTime();
        if (t != null) {
            t.get("twill.add").add(t4 - t0);
            t.get("twill.del").add(t5 - t4);
            t.get("twill.add.createVeth").add(t1 - t0);
            t.get("twill.add.openPodSocket").add(t2 - t1);
            t.get("twill.add.podConfig").add(t3 - t2);
            t.get("twill.add.hostRoute").add(t4 - t3);
        }
    }

    private void ip(Map<String, List<Long>> t) {
        long t0 = System.nanoTime();
        Cmd.run("ip", "-n", hostNs, "link", "add", "lxcbench", "mtu", "" + MTU, "address", hostMac.toString(), "type", "veth",
                "peer", "name", "eth0", "netns", podNs, "mtu", "" + MTU, "address", podMac.toString());
        Cmd.run("ip", "-n", podNs, "addr", "add", POD_IP + "/32", "dev", "eth0");
        Cmd.run("ip", "-n", podNs, "link", "set", "eth0", "up");
        Cmd.run("ip", "-n", podNs, "route", "add", GW + "/32", "dev", "eth0", "proto", "static", "scope", "link");
        Cmd.run("ip", "-n", podNs, "route", "add", "default", "via", GW, "dev", "eth0", "proto", "static", "onlink",
                "mtu", "" + ROUTE_MTU);
        Cmd.run("ip", "-n", podNs, "neigh", "add", GW, "lladdr", hostMac.toString(), "dev", "eth0", "nud", "permanent");
        Cmd.run("ip", "-n", hostNs, "link", "set", "lxcbench", "up");
        Cmd.run("ip", "-n", hostNs, "route", "add", POD_IP + "/32", "dev", "lxcbench", "proto", "static", "scope", "link");
        long t1 = System.nanoTime();
        Cmd.run("ip", "-n", hostNs, "link", "del", "lxcbench");
        long t2 = System.nanoTime();
        if (t != null) {
            t.get("ip.add").add(t1 - t0);
            t.get("ip.del").add(t2 - t1);
        }
    }

    private void ipBatch(Path hostAdd, Path podAdd, Map<String, List<Long>> t) {
        long t0 = System.nanoTime();
        Cmd.run("ip", "-n", hostNs, "-batch", hostAdd.toString());
        Cmd.run("ip", "-n", podNs, "-batch", podAdd.toString());
        long t1 = System.nanoTime();
        Cmd.run("ip", "-n", hostNs, "link", "del", "lxcbench");
        long t2 = System.nanoTime();
        if (t != null) {
            t.get("ipbatch.add").add(t1 - t0);
            t.get("ipbatch.del").add(t2 - t1);
        }
    }

    private static void report(Map<String, List<Long>> t, int rounds, Path json) throws Exception {
        StringBuilder js = new StringBuilder("{\n  \"rounds\": ").append(rounds).append(",\n  \"results_us\": {\n");
        System.out.printf(Locale.ROOT, "%-26s %10s %10s %10s %10s%n", "step (µs)", "median", "p90", "min", "max");
        int n = 0;
        for (Map.Entry<String, List<Long>> e : t.entrySet()) {
            long[] s = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
            double med = s[s.length / 2] / 1e3, p90 = s[(int) (s.length * 0.9)] / 1e3, min = s[0] / 1e3, max = s[s.length - 1] / 1e3;
            System.out.printf(Locale.ROOT, "%-26s %10.1f %10.1f %10.1f %10.1f%n", e.getKey(), med, p90, min, max);
            js.append(String.format(Locale.ROOT, "    \"%s\": {\"median\": %.1f, \"p90\": %.1f, \"min\": %.1f, \"max\": %.1f}%s%n",
                    e.getKey(), med, p90, min, max, ++n < t.size() ? "," : ""));
        }
        double tw = median(t.get("twill.add")), ip = median(t.get("ip.add")), ipb = median(t.get("ipbatch.add"));
        double twd = median(t.get("twill.del")), ipd = median(t.get("ip.del"));
        System.out.printf(Locale.ROOT, "%nADD: ip (8 processes) / twill = %.1fx, ip -batch (2 processes) / twill = %.1fx%n", ip / tw, ipb / tw);
        System.out.printf(Locale.ROOT, "DEL: ip / twill = %.2fx%n", ipd / twd);
        js.append(String.format(Locale.ROOT, "  },%n  \"ratio_add_ip_over_twill\": %.2f,%n  \"ratio_add_ipbatch_over_twill\": %.2f,%n"
                + "  \"ratio_del_ip_over_twill\": %.2f%n}%n", ip / tw, ipb / tw, ipd / twd));
        if (json != null) Files.writeString(json, js);
    }

    private static double median(List<Long> v) {
        long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
        return s[s.length / 2];
    }
}
