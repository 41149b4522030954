package io.twill.cni.result;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A version-neutral CNI success result: the backend returns one for ADD, a prevResult parses into one, and
 * {@link ResultCodec} prints it in the version the network config asks for.
 * Every {@code ips[].interfaceIndex} must point into {@code interfaces}.
 */
public record CniResult(List<CniInterface> interfaces, List<IpConfig> ips, List<Route> routes, Dns dns) {
    public static final CniResult EMPTY = new CniResult(List.of(), List.of(), List.of(), Dns.EMPTY);

    public CniResult {
        interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
        ips = ips == null ? List.of() : List.copyOf(ips);
        routes = routes == null ? List.of() : List.copyOf(routes);
        dns = dns == null ? Dns.EMPTY : dns;
        for (int i = 0; i < ips.size(); i++) {
            Integer idx = ips.get(i).interfaceIndex();
            if (idx != null && idx >= interfaces.size()) {
                throw new IllegalArgumentException("ips[" + i + "].interface = " + idx + " but there are only "
                        + interfaces.size() + " interfaces");
            }
        }
    }

    /**
     * Chaining: this (a later plugin's own) result appended to {@code prev}, an earlier plugin's result (e.g. from
     * loopback). Interfaces, IPs and routes are concatenated, this result's interface indexes shifted past prev's
     * interfaces, and DNS merged field by field with this result's values winning.
     */
    public CniResult mergedOnto(CniResult prev) {
        Objects.requireNonNull(prev, "prev");
        int offset = prev.interfaces.size();
        List<CniInterface> ifs = new ArrayList<>(prev.interfaces);
        ifs.addAll(interfaces);
        List<IpConfig> allIps = new ArrayList<>(prev.ips);
        for (IpConfig ip : ips) allIps.add(ip.shifted(offset));
        List<Route> allRoutes = new ArrayList<>(prev.routes);
        allRoutes.addAll(routes);
        return new CniResult(ifs, allIps, allRoutes, dns.over(prev.dns));
    }
}
