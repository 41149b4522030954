package io.twill.datapath;

import io.twill.bpf.BpfMap;
import io.twill.bpf.BpfObject;
import io.twill.maps.ct.CtMap;
import io.twill.maps.endpoints.EndpointsMap;
import io.twill.maps.lb.LbBackendsMap;
import io.twill.maps.lb.LbNetnsMap;
import io.twill.maps.lb.LbRevNatMap;
import io.twill.maps.lb.LbServicesMap;
import io.twill.maps.metrics.MetricsMap;
import io.twill.maps.snat.NonMasqMap;
import io.twill.maps.snat.SnatMap;
import io.twill.maps.tunnel.TunnelMap;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The typed maps the agent uses, taken from the loaded objects (every object shares them through their pins; bpf_lxc
 * declares all but the NAT maps, which only bpf_host uses). All or nothing: a map that cannot be taken closes the
 * ones taken before it.
 */
record DatapathMaps(EndpointsMap endpoints, TunnelMap tunnel, MetricsMap metrics, CtMap ct, SnatMap snat,
                    NonMasqMap nonMasq, LbServicesMap lbServices, LbBackendsMap lbBackends, LbRevNatMap lbRevNat,
                    LbNetnsMap lbNetns) {

    static DatapathMaps take(BpfObject lxc, BpfObject host) {
        List<AutoCloseable> taken = new ArrayList<>();
        boolean ok = false;
        try {
            DatapathMaps m = new DatapathMaps(
                    own(taken, lxc.takeMap(EndpointsMap.MAP_NAME), EndpointsMap::of),
                    own(taken, lxc.takeMap(TunnelMap.MAP_NAME), TunnelMap::of),
                    own(taken, lxc.takeMap(MetricsMap.MAP_NAME), MetricsMap::of),
                    own(taken, lxc.takeMap(CtMap.MAP_NAME), CtMap::of),
                    own(taken, host.takeMap(SnatMap.MAP_NAME), SnatMap::of),
                    own(taken, host.takeMap(NonMasqMap.MAP_NAME), NonMasqMap::of),
                    own(taken, lxc.takeMap(LbServicesMap.MAP_NAME), LbServicesMap::of),
                    own(taken, lxc.takeMap(LbBackendsMap.MAP_NAME), LbBackendsMap::of),
                    own(taken, lxc.takeMap(LbRevNatMap.MAP_NAME), LbRevNatMap::of),
                    own(taken, lxc.takeMap(LbNetnsMap.MAP_NAME), LbNetnsMap::of));
            ok = true;
            return m;
        } finally {
            if (!ok) {
                for (AutoCloseable c : taken.reversed()) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // closing what was taken before the failure; the failure itself propagates
                    }
                }
            }
        }
    }

    /** Types a taken map; the raw handle is closed if typing it fails (sizes that disagree with the records). */
    private static <T extends AutoCloseable> T own(List<AutoCloseable> taken, BpfMap raw, Function<BpfMap, T> typed) {
        try {
            T t = typed.apply(raw);
            taken.add(t);
            return t;
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    List<AutoCloseable> all() {
        return List.of(endpoints, tunnel, metrics, ct, snat, nonMasq, lbServices, lbBackends, lbRevNat, lbNetns);
    }
}
