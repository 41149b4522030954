package io.twill.bench.services;

import io.twill.bench.Args;
import io.twill.maps.Protocols;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbBackendsMap;
import io.twill.maps.lb.LbFrontend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatMap;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbServicesMap;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Loads the {@link ServiceSet} of the Services benchmark into one side and prints {@code target <ClusterIP>}, the
 * address the client connects to.
 *
 * <pre>
 * ServicesLoad twill    --pin-root DIR --count N --backend IP --ports P,...   the node's pinned twill_lb_* maps hold
 *                                                                           exactly N Services (added or removed)
 * ServicesLoad iptables --count N --backend IP --ports P,... --cluster CIDR --out FILE
 *                                                                           iptables-restore input, as kube-proxy
 * </pre>
 *
 * Twill's side is written straight into the maps (what the agent's LbTable writes: one backend id per endpoint
 * address and port, slot 0 last), so the benchmark measures the datapath, not the agent; bench/scripts/
 * services-scale.sh measures the agent's path from the API to the maps.
 */
public final class ServicesLoad {
    private ServicesLoad() {}

    public static void main(String[] argv) throws IOException {
        if (argv.length < 1) throw new IllegalArgumentException("usage: ServicesLoad twill|iptables --count N ...");
        Args a = Args.parse(Arrays.copyOfRange(argv, 1, argv.length));
        ServiceSet set = new ServiceSet(a.intOr("count", 1), Ipv4.parse(a.required("backend")),
                Arrays.stream(a.required("ports").split(",")).map(Integer::parseInt).toList());
        switch (argv[0]) {
            case "twill" -> twill(set, a.requiredPath("pin-root"));
            case "iptables" -> {
                Path out = a.requiredPath("out");
                Files.writeString(out, KubeProxyRules.render(set, Ipv4Prefix.parse(a.required("cluster"))));
                System.err.printf("ServicesLoad: %d services as kube-proxy rules in %s%n", set.count(), out);
            }
            default -> throw new IllegalArgumentException("ServicesLoad: twill or iptables, not " + argv[0]);
        }
        System.out.println("target " + ServiceSet.vip(set.target()).getHostAddress());
    }

    static void twill(ServiceSet set, Path pinRoot) {
        try (LbServicesMap services = LbServicesMap.openPinned(pinRoot);
             LbBackendsMap backends = LbBackendsMap.openPinned(pinRoot);
             LbRevNatMap revNat = LbRevNatMap.openPinned(pinRoot)) {
            List<Long> ids = new ArrayList<>();
            for (int p : set.ports()) {
                long id = ids.size() + 1;
                backends.put(id, LbBackend.active(set.backend(), p, Protocols.TCP));
                ids.add(id);
            }
            int removed = 0, added = 0;
            boolean[] present = new boolean[set.count()];
            for (LbFrontend f : services.frontends()) {
                int i = ServiceSet.indexOf(f.key().addr());
                if (i >= 0 && i < set.count() && f.backendIds().equals(ids)) {
                    present[i] = true;
                    continue;
                }
                services.deleteFrontend(f.key());
                if (f.service().revNatIndex() != 0) revNat.delete(f.service().revNatIndex());
                removed++;
            }
            for (int i = 0; i < set.count(); i++) {
                if (present[i]) continue;
                var vip = ServiceSet.vip(i);
                revNat.put(i + 1, new LbRevNat(vip, ServiceSet.PORT));
                services.putFrontend(LbKey.frontend(vip, ServiceSet.PORT, Protocols.TCP),
                        LbService.service(ids.size(), i + 1, LbService.F_CLUSTER_IP, 0), ids);
                added++;
            }
            System.err.printf("ServicesLoad: %d services in %s (%d added, %d removed)%n", set.count(), pinRoot, added, removed);
        }
    }
}
