package io.twill.agent;

import io.twill.agent.config.AgentConfig;
import io.twill.agent.config.PeersFile;
import io.twill.agent.k8s.NativeRoutes;
import io.twill.agent.k8s.NodeCidrTable;
import io.twill.agent.k8s.TunnelTable;
import io.twill.types.Ipv4Prefix;
import io.twill.types.RoutingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Standalone mode's peers: makes {@code twill_tunnel} hold this node's pod CIDRs (→ its own IP) and every peer's
 * (→ the peer's IP), and in native mode the kernel routes hold the peers' CIDRs via their IPs; entries of an earlier
 * run that the file no longer lists are removed.
 */
final class StaticPeers {
    private static final Logger log = LoggerFactory.getLogger(StaticPeers.class);

    private StaticPeers() {}

    static void apply(AgentConfig cfg, Inet4Address nodeIp, TunnelTable tunnel, NativeRoutes routes) {
        Map<Ipv4Prefix, Inet4Address> peers = new LinkedHashMap<>();
        if (cfg.standalone().peersFile() != null) {
            for (PeersFile.Peer p : PeersFile.read(cfg.standalone().peersFile())) {
                if (p.nodeIp().equals(nodeIp)) continue; // the file may list every node, this one included
                for (Ipv4Prefix c : p.podCidrs()) peers.put(c, p.nodeIp());
            }
        }
        Map<Ipv4Prefix, Inet4Address> withSelf = new LinkedHashMap<>(peers);
        for (Ipv4Prefix own : cfg.standalone().podCIDRs()) {
            if (withSelf.containsKey(own)) {
                throw new AgentStartupException("peers file " + cfg.standalone().peersFile() + " gives this node's pod CIDR "
                        + own + " to " + withSelf.get(own).getHostAddress());
            }
            withSelf.put(own, nodeIp);
        }
        sync(tunnel, withSelf);
        if (cfg.network().routingMode() == RoutingMode.NATIVE) sync(routes, peers);
        log.info("Standalone peers: {} CIDRs of {} other nodes{}", peers.size(),
                peers.values().stream().distinct().count(), peers.isEmpty() ? "" : " " + peers);
    }

    static void sync(NodeCidrTable table, Map<Ipv4Prefix, Inet4Address> want) {
        for (Ipv4Prefix stale : List.copyOf(table.entries().keySet())) {
            if (!want.containsKey(stale)) table.remove(stale);
        }
        want.forEach(table::put);
    }
}
