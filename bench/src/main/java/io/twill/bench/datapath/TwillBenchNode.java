package io.twill.bench.datapath;

import io.twill.bpf.Tc;
import io.twill.bpf.TcMode;
import io.twill.datapath.Datapath;
import io.twill.datapath.DatapathConfig;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.lb.LbNetns;
import io.twill.netlink.NetNs;
import io.twill.testkit.Cmd;
import io.twill.testkit.TestNamespace;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets up Twill on one simulated node for the datapath benchmarks, through the same {@link Datapath} API the agent
 * uses: loads the objects with the node's config, attaches them (eth0, twill_vxlan, each pod's lxc), fills
 * twill_tunnel and twill_endpoints, and exits. Programs stay attached (pinned links) and maps stay pinned under the
 * pin root, so the benchmark script can then run traffic. Devices and namespaces are made by the script.
 *
 * <pre>
 * TwillBenchNode --netns NS --pin-root DIR --node-ip IP --cluster CIDR --mode overlay|native
 *                [--uplink eth0] [--vxlan twill_vxlan] [--own CIDR] [--peer CIDR=NODE_IP]... [--pod IP=LXC@PODNS]...
 *                [--no-source-check] [--tc auto|tcx|cls_bpf]
 *                [--kube-proxy-replacement] [--masquerade] [--non-masq CIDR]... [--socket-lb CGROUP_DIR]
 *                [--objects DIR --constants NAME,...]
 * </pre>
 *
 * {@code --tc} picks the attachment; the default, auto, is what the agent deploys by default (network.enableTCX):
 * TCX links where the kernel has TCX, cls_bpf filters otherwise.
 *
 * <p>{@code --kube-proxy-replacement} and {@code --masquerade} turn on what the local cluster runs with (Services in
 * BPF, masquerading; the cluster CIDR and each {@code --non-masq} CIDR are reached unmasqueraded, as the agent
 * writes them). {@code --socket-lb} attaches the socket load balancer to that cgroup v2 directory and registers the
 * node's and each pod's network namespace in twill_lb_netns, as the agent and its CNI handler do.
 *
 * <p>{@code --objects} loads bpf_lxc, bpf_overlay and bpf_host of another build from DIR instead of the current
 * ones ({@link ObjectDirDatapath}), writing only the settings named by {@code --constants} (the ones that build
 * knows); the Services options need the current objects.
 */
public final class TwillBenchNode {
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private TwillBenchNode() {}

    record Peer(Ipv4Prefix cidr, Inet4Address nodeIp) {}

    record PodArg(Inet4Address ip, String lxc, String podNs) {}

    public static void main(String[] args) {
        String netns = null, uplink = null, vxlan = null, mode = "overlay";
        Path pinRoot = null, socketLb = null, objects = null;
        Inet4Address nodeIp = null;
        Ipv4Prefix cluster = null, own = null;
        boolean sourceCheck = true, kpr = false, masquerade = false;
        TcMode tc = TcMode.AUTO;
        Set<String> constants = null;
        List<Peer> peers = new ArrayList<>();
        List<PodArg> pods = new ArrayList<>();
        List<Ipv4Prefix> nonMasq = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--no-source-check" -> sourceCheck = false;
                case "--kube-proxy-replacement" -> kpr = true;
                case "--masquerade" -> masquerade = true;
                default -> {
                    if (i + 1 >= args.length) throw usage("missing value after " + a);
                    String v = args[++i];
                    switch (a) {
                        case "--netns" -> netns = v;
                        case "--pin-root" -> pinRoot = Path.of(v);
                        case "--node-ip" -> nodeIp = Ipv4.parse(v);
                        case "--cluster" -> cluster = Ipv4Prefix.parse(v);
                        case "--mode" -> mode = v;
                        case "--uplink" -> uplink = v;
                        case "--vxlan" -> vxlan = v;
                        case "--own" -> own = Ipv4Prefix.parse(v);
                        case "--non-masq" -> nonMasq.add(Ipv4Prefix.parse(v));
                        case "--socket-lb" -> socketLb = Path.of(v);
                        case "--objects" -> objects = Path.of(v);
                        case "--constants" -> constants = Set.of(v.split(","));
                        case "--tc" -> tc = switch (v) {
                            case "auto" -> TcMode.AUTO;
                            case "cls_bpf" -> TcMode.CLS_BPF;
                            case "tcx" -> TcMode.TCX;
                            default -> throw usage("--tc is auto, tcx or cls_bpf, not " + v);
                        };
                        case "--peer" -> {
                            String[] kv = v.split("=", 2);
                            peers.add(new Peer(Ipv4Prefix.parse(kv[0]), Ipv4.parse(kv[1])));
                        }
                        case "--pod" -> {
                            String[] kv = v.split("[=@]", 3);
                            if (kv.length != 3) throw usage("--pod wants IP=LXC@PODNS, got " + v);
                            pods.add(new PodArg(Ipv4.parse(kv[0]), kv[1], kv[2]));
                        }
                        default -> throw usage("unknown option " + a);
                    }
                }
            }
        }
        if (netns == null || pinRoot == null || nodeIp == null || cluster == null) {
            throw usage("--netns, --pin-root, --node-ip and --cluster are required");
        }
        if (objects != null && (kpr || masquerade || socketLb != null || constants == null)) {
            throw usage("--objects needs --constants and takes none of --kube-proxy-replacement, --masquerade, --socket-lb");
        }
        TestNamespace.enter(Path.of("/run/netns", netns));

        int vxlanIfindex = vxlan == null ? 0 : Tc.ifindex(vxlan);
        DatapathConfig config = switch (mode) {
            case "overlay" -> DatapathConfig.overlay(nodeIp, cluster, vxlanIfindex);
            case "native" -> DatapathConfig.nativeRouting(nodeIp, cluster);
            default -> throw usage("--mode is overlay or native, not " + mode);
        };
        config = config.withSourceCheck(sourceCheck).withKubeProxyReplacement(kpr)
                .withMasquerade(masquerade, DatapathConfig.DEFAULT_NAT_PORT_MIN, DatapathConfig.DEFAULT_NAT_PORT_MAX);
        Datapath current = objects == null ? Datapath.load(config, pinRoot, tc) : null;
        try (BenchDatapath dp = current != null ? BenchDatapath.of(current)
                : ObjectDirDatapath.load(objects, constants, config, pinRoot, tc)) {
            if (uplink != null) dp.attachUplink(Tc.ifindex(uplink));
            if (vxlan != null) dp.attachOverlay(vxlanIfindex);
            if (own != null) dp.tunnel().put(own, nodeIp);
            for (Peer p : peers) dp.tunnel().put(p.cidr(), p.nodeIp());
            if (current != null && masquerade) {
                current.nonMasq().put(cluster);
                for (Ipv4Prefix p : nonMasq) current.nonMasq().put(p);
            }
            if (current != null && socketLb != null) {
                current.attachSocketLb(socketLb);
                current.lbNetns().put(NetNs.currentCookie(), LbNetns.NODE);
            }
            int id = 1;
            for (PodArg p : pods) {
                int lxc = Tc.ifindex(p.lxc());
                MacAddress lxcMac = mac("ip", "-o", "link", "show", "dev", p.lxc());
                MacAddress podMac = mac("ip", "-n", p.podNs(), "-o", "link", "show", "dev", "eth0");
                int endpointId = id++;
                dp.endpoints().put(p.ip(), EndpointInfo.pod(lxc, endpointId, podMac, lxcMac));
                dp.attachEndpoint(lxc);
                if (current != null && socketLb != null) {
                    current.lbNetns().put(NetNs.cookie(NetNs.named(p.podNs())), new LbNetns(endpointId));
                }
            }
            System.out.println("twill node " + netns + ": " + (objects == null ? config : "objects of " + objects + ", "
                    + config) + ", " + peers.size() + " peers, " + pods.size() + " pods, pin root " + pinRoot
                    + (dp.usesClsBpf() ? " (cls_bpf)" : " (tcx)") + (socketLb == null ? "" : ", socket LB on " + socketLb));
        }
    }

    private static MacAddress mac(String... cmd) {
        String out = Cmd.run(cmd).stdout();
        Matcher m = MAC.matcher(out);
        if (!m.find()) throw new IllegalStateException("no MAC in output of " + String.join(" ", cmd) + ": " + out);
        return MacAddress.parse(m.group(1));
    }

    private static IllegalArgumentException usage(String why) {
        return new IllegalArgumentException("TwillBenchNode: " + why + "\nusage: TwillBenchNode --netns NS --pin-root DIR "
                + "--node-ip IP --cluster CIDR --mode overlay|native [--uplink DEV] [--vxlan DEV] [--own CIDR] "
                + "[--peer CIDR=NODE_IP]... [--pod IP=LXC@PODNS]... [--no-source-check] [--tc auto|tcx|cls_bpf] "
                + "[--kube-proxy-replacement] [--masquerade] [--non-masq CIDR]... [--socket-lb CGROUP_DIR] "
                + "[--objects DIR --constants NAME,...]");
    }
}
