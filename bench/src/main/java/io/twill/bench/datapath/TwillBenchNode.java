package io.twill.bench.datapath;

import io.twill.bpf.Tc;
import io.twill.bpf.TcMode;
import io.twill.datapath.Datapath;
import io.twill.datapath.DatapathConfig;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.testkit.Cmd;
import io.twill.testkit.TestNamespace;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets up Twill on one simulated node for the datapath benchmark, through the same {@link Datapath} API the agent
 * uses: loads the objects with the node's config, attaches them (eth0, twill_vxlan, each pod's lxc), fills
 * twill_tunnel and twill_endpoints, and exits. Programs stay attached (pinned links) and maps stay pinned under the
 * pin root, so the benchmark script can then run traffic. Devices and namespaces are made by the script.
 *
 * <pre>
 * TwillBenchNode --netns NS --pin-root DIR --node-ip IP --cluster CIDR --mode overlay|native
 *                [--uplink eth0] [--vxlan twill_vxlan] [--own CIDR] [--peer CIDR=NODE_IP]... [--pod IP=LXC@PODNS]...
 *                [--no-source-check] [--tc auto|tcx|cls_bpf]
 * </pre>
 *
 * {@code --tc} picks the attachment; the default, auto, is what the agent deploys by default (network.enableTCX):
 * TCX links where the kernel has TCX, cls_bpf filters otherwise.
 */
public final class TwillBenchNode {
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private TwillBenchNode() {}

    record Peer(Ipv4Prefix cidr, Inet4Address nodeIp) {}

    record PodArg(Inet4Address ip, String lxc, String podNs) {}

    public static void main(String[] args) {
        String netns = null, uplink = null, vxlan = null, mode = "overlay";
        Path pinRoot = null;
        Inet4Address nodeIp = null;
        Ipv4Prefix cluster = null, own = null;
        boolean sourceCheck = true;
        TcMode tc = TcMode.AUTO;
        List<Peer> peers = new ArrayList<>();
        List<PodArg> pods = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-source-check")) {
                sourceCheck = false;
                continue;
            }
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
        if (netns == null || pinRoot == null || nodeIp == null || cluster == null) {
            throw usage("--netns, --pin-root, --node-ip and --cluster are required");
        }
        TestNamespace.enter(Path.of("/run/netns", netns));

        int vxlanIfindex = vxlan == null ? 0 : Tc.ifindex(vxlan);
        DatapathConfig config = switch (mode) {
            case "overlay" -> DatapathConfig.overlay(nodeIp, cluster, vxlanIfindex);
            case "native" -> DatapathConfig.nativeRouting(nodeIp, cluster);
            default -> throw usage("--mode is overlay or native, not " + mode);
        };
        config = config.withSourceCheck(sourceCheck);
        try (Datapath dp = Datapath.load(config, pinRoot, tc)) {
            if (uplink != null) dp.attachUplink(Tc.ifindex(uplink));
            if (vxlan != null) dp.attachOverlay(vxlanIfindex);
            if (own != null) dp.tunnel().put(own, nodeIp);
            for (Peer p : peers) dp.tunnel().put(p.cidr(), p.nodeIp());
            int id = 1;
            for (PodArg p : pods) {
                int lxc = Tc.ifindex(p.lxc());
                MacAddress lxcMac = mac("ip", "-o", "link", "show", "dev", p.lxc());
                MacAddress podMac = mac("ip", "-n", p.podNs(), "-o", "link", "show", "dev", "eth0");
                dp.endpoints().put(p.ip(), EndpointInfo.pod(lxc, id++, podMac, lxcMac));
                dp.attachEndpoint(lxc);
            }
            System.out.println("twill node " + netns + ": " + config + ", " + peers.size() + " peers, " + pods.size()
                    + " pods, pin root " + pinRoot + (dp.usesClsBpf() ? " (cls_bpf)" : " (tcx)"));
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
                + "[--peer CIDR=NODE_IP]... [--pod IP=LXC@PODNS]... [--no-source-check] [--tc auto|tcx|cls_bpf]");
    }
}
