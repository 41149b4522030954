package io.twill.agent.datapath;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.twill.agent.config.AgentConfig;
import io.twill.types.Ipv4Prefix;
import io.twill.agent.config.PortRange;
import io.twill.agent.service.LbTable;
import io.twill.agent.service.ServiceTranslator;
import io.twill.agent.service.ServiceWatcher;
import io.twill.bpf.BpfFs;
import io.twill.types.Ipv4Prefix;
import io.twill.datapath.Datapath;
import io.twill.maps.lb.LbNetns;
import io.twill.netlink.Address;
import io.twill.netlink.NetNs;
import io.twill.netlink.RtNetlink;
import io.twill.netlink.Scope;
import io.twill.netlink.Sysctl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The node-level pieces of Services and masquerading around the loaded datapath: the destinations pods reach with
 * their own address ({@code twill_nonmasq}), the socket load balancer on the cgroup root with the node's own network
 * namespace registered, and the Service watcher feeding the {@code twill_lb_*} maps.
 */
public final class LbSetup {
    private static final Logger log = LoggerFactory.getLogger(LbSetup.class);

    private LbSetup() {}

    /** Everything that does not need the API server: run once the datapath is loaded and attached. */
    public static void prepare(AgentConfig cfg, Datapath dp, NodeNamespace ns, RtNetlink node, NodeSetup.Node info) {
        syncNonMasquerade(cfg, dp, node, info);
        if (cfg.masquerade().enabled()) checkPortRange(cfg.masquerade().portRange(), ns);
        if (cfg.kubeProxyReplacement() && cfg.services().socketLB()) {
            BpfFs.ensureCgroup2(cfg.paths().cgroupRoot());
            var hooks = dp.attachSocketLb(cfg.paths().cgroupRoot());
            long cookie = ns.call(NetNs::currentCookie);
            dp.lbNetns().put(cookie, new LbNetns(0));
            log.info("Socket load balancing on the cgroup root at {}: {} (node namespace cookie {})",
                    cfg.paths().cgroupRoot(), hooks.stream().map(h -> h.program()).toList(), cookie);
        } else {
            int removed = dp.detachSocketLb();
            if (removed > 0) log.info("Removed the socket load balancer of an earlier run ({} hooks)", removed);
        }
    }

    /** Cluster CIDR, the uplink's own subnets and the configured CIDRs; anything else is masqueraded. */
    static void syncNonMasquerade(AgentConfig cfg, Datapath dp, RtNetlink node, NodeSetup.Node info) {
        Set<Ipv4Prefix> want = new LinkedHashSet<>();
        want.add(cfg.network().clusterPoolCIDR());
        for (Address a : node.addresses(info.uplink().index())) {
            if (a.scope() == Scope.UNIVERSE) want.add(Ipv4Prefix.containing(a.address(), a.prefixLength()));
        }
        want.addAll(cfg.masquerade().nonMasqueradeCIDRs());
        List<Ipv4Prefix> have = dp.nonMasq().prefixes();
        for (Ipv4Prefix p : have) {
            if (!want.contains(p)) dp.nonMasq().delete(p);
        }
        for (Ipv4Prefix p : want) {
            if (!have.contains(p)) dp.nonMasq().put(p);
        }
        log.info("Pods reach {} with their own address{}", want,
                cfg.masquerade().enabled() ? "; everything else is masqueraded to " + info.nodeIp().getHostAddress() : "");
    }

    /** Warns when the NAT port range overlaps the node's ephemeral ports (its own connections could collide). */
    static void checkPortRange(PortRange nat, NodeNamespace ns) {
        Optional<String> local = ns.call(() -> Sysctl.read("net/ipv4/ip_local_port_range"));
        local.map(String::strip).map(v -> v.split("\\s+")).filter(v -> v.length == 2).ifPresent(v -> {
            PortRange eph = new PortRange(Integer.parseInt(v[0]), Integer.parseInt(v[1]));
            if (eph.overlaps(nat)) {
                log.warn("masquerade.portRange {} overlaps net.ipv4.ip_local_port_range {}: the node's own connections "
                        + "and masqueraded pod connections may pick the same port; move one of them", nat, eph);
            }
        });
    }

    /** Starts the Service watcher on the datapath's maps, adopting what an earlier run left there. */
    public static ServiceWatcher watch(AgentConfig cfg, KubernetesClient client, Datapath dp, NodeSetup.Node info,
                                       Consumer<ServiceTranslator.Problem> problems) {
        MapsLbDatapath maps = new MapsLbDatapath(dp.lbServices(), dp.lbBackends(), dp.lbRevNat());
        LbTable table = new LbTable(maps, problems);
        table.adopt(maps.read());
        PortRange np = cfg.services().nodePortRange();
        ServiceTranslator translator = new ServiceTranslator(new ServiceTranslator.Node(cfg.nodeName(),
                List.of(info.nodeIp()), np.min(), np.max()));
        ServiceWatcher w = new ServiceWatcher(client, translator, table, problems);
        w.start();
        return w;
    }
}
