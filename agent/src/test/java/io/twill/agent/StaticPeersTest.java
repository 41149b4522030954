package io.twill.agent;

import io.twill.agent.config.AgentConfig;
import io.twill.agent.config.ConfigLoader;
import io.twill.agent.k8s.NativeRoutes;
import io.twill.agent.k8s.TunnelTable;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StaticPeersTest {
    @TempDir Path dir;

    static class Table implements TunnelTable, NativeRoutes {
        final Map<Ipv4Prefix, Inet4Address> m = new HashMap<>();
        public String name() { return "t"; }
        public void put(Ipv4Prefix c, Inet4Address ip) { m.put(c, ip); }
        public boolean remove(Ipv4Prefix c) { return m.remove(c) != null; }
        public Map<Ipv4Prefix, Inet4Address> entries() { return Map.copyOf(m); }
    }

    AgentConfig cfg(String mode, Path peers) {
        return new ConfigLoader().load(List.of("--standalone", "--pod-cidr", "10.1.1.0/24", "--routing-mode", mode,
                "--peers-file", peers.toString()), Map.of(), "a");
    }

    static Inet4Address ip(String s) {
        return Ipv4.parse(s);
    }

    @Test
    void fillsTheTablesAndRemovesWhatTheFileNoLongerLists() throws Exception {
        Path peers = dir.resolve("peers");
        Files.writeString(peers, "192.168.0.1 10.1.1.0/24\n192.168.0.2 10.1.2.0/24\n");
        Table tunnel = new Table(), routes = new Table();
        tunnel.put(Ipv4Prefix.parse("10.1.9.0/24"), ip("192.168.0.9")); // from an earlier run
        StaticPeers.apply(cfg("native", peers), ip("192.168.0.1"), tunnel, routes);
        assertThat(tunnel.m).containsOnly(Map.entry(Ipv4Prefix.parse("10.1.1.0/24"), ip("192.168.0.1")),
                Map.entry(Ipv4Prefix.parse("10.1.2.0/24"), ip("192.168.0.2")));
        assertThat(routes.m).containsOnly(Map.entry(Ipv4Prefix.parse("10.1.2.0/24"), ip("192.168.0.2")));

        Table r2 = new Table();
        StaticPeers.apply(cfg("overlay", peers), ip("192.168.0.1"), new Table(), r2);
        assertThat(r2.m).isEmpty();
    }

    @Test
    void refusesAPeerClaimingThisNodesCidr() throws Exception {
        Path peers = dir.resolve("peers");
        Files.writeString(peers, "192.168.0.2 10.1.1.0/24\n");
        assertThatThrownBy(() -> StaticPeers.apply(cfg("overlay", peers), ip("192.168.0.1"), new Table(), new Table()))
                .isInstanceOf(AgentStartupException.class).hasMessageContaining("gives this node's pod CIDR 10.1.1.0/24 to 192.168.0.2");
    }
}
