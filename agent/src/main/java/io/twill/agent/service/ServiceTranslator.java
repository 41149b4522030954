package io.twill.agent.service;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one Service and its EndpointSlices mean for this node's datapath, as kube-proxy and Cilium read them: a
 * frontend per ClusterIP port, per NodePort on each of this node's addresses, per external and load-balancer IP port;
 * behind each, the endpoints of the matching EndpointSlice port (matched by port name and protocol, which resolves
 * named target ports), the ready ones, or the serving-and-terminating ones when none is ready.
 *
 * <p>Pure: no I/O, no state. What cannot be used is left out and reported as a {@link Problem} naming the object and
 * the field, never an exception: a bad object must not stop the others.
 */
public final class ServiceTranslator {
    /** Kubernetes' default for sessionAffinityConfig.clientIP.timeoutSeconds. */
    public static final int DEFAULT_AFFINITY_TIMEOUT = 10800;
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** This node as the translation needs it. */
    public record Node(String name, List<Inet4Address> addresses, int nodePortMin, int nodePortMax) {
        public Node {
            Objects.requireNonNull(name, "name");
            addresses = List.copyOf(addresses);
            if (nodePortMin < 1 || nodePortMax > 65535 || nodePortMin > nodePortMax) {
                throw new IllegalArgumentException("node port range " + nodePortMin + "-" + nodePortMax + " is not within 1-65535");
            }
        }
    }

    /** Something left out, with the object and field it comes from. */
    public record Problem(String object, String field, String reason, String message) {
        @Override
        public String toString() {
            return object + " " + field + ": " + message;
        }
    }

    public record Result(List<Frontend> frontends, List<Problem> problems) {}

    private final Node node;

    public ServiceTranslator(Node node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    public Node node() {
        return node;
    }

    public Result translate(Service svc, List<EndpointSlice> slices) {
        String id = "Service " + svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
        List<Problem> problems = new ArrayList<>();
        List<Frontend> out = new ArrayList<>();
        ServiceSpec spec = svc.getSpec();
        if (spec == null || "ExternalName".equals(spec.getType())) return new Result(out, problems);
        List<Inet4Address> clusterIps = clusterIps(id, spec, problems);
        boolean extLocal = "Local".equals(spec.getExternalTrafficPolicy());
        boolean intLocal = "Local".equals(spec.getInternalTrafficPolicy());
        int affinity = affinityTimeout(id, spec, problems);
        List<Inet4Address> externals = externalIps(id, svc, problems);
        List<ServicePort> ports = spec.getPorts() == null ? List.of() : spec.getPorts();
        Set<Frontend.Key> seen = new LinkedHashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            String field = "spec.ports[" + i + "]";
            Optional<Integer> proto = protocol(id, field, p.getProtocol(), problems);
            if (proto.isEmpty()) continue;
            if (p.getPort() == null || p.getPort() < 1 || p.getPort() > 65535) {
                problems.add(new Problem(id, field + ".port", "invalid_port", "port " + p.getPort() + " is not 1..65535"));
                continue;
            }
            List<Backend> all = backends(id, p, proto.get(), slices, problems);
            List<Backend> local = all.stream().filter(b -> node.name().equals(b.nodeName())).toList();
            for (Inet4Address ip : clusterIps) {
                add(out, seen, new Frontend(new Frontend.Key(ip, p.getPort(), proto.get()), Frontend.Kind.CLUSTER_IP,
                        name(svc), intLocal ? local : all, null, affinity));
            }
            if (p.getNodePort() != null && p.getNodePort() != 0) {
                int np = p.getNodePort();
                if (np < node.nodePortMin() || np > node.nodePortMax()) {
                    problems.add(new Problem(id, field + ".nodePort", "node_port_out_of_range", "nodePort " + np
                            + " is outside this node's range " + node.nodePortMin() + "-" + node.nodePortMax()));
                } else {
                    for (Inet4Address ip : node.addresses()) {
                        add(out, seen, new Frontend(new Frontend.Key(ip, np, proto.get()), Frontend.Kind.NODE_PORT,
                                name(svc), all, extLocal ? local : null, affinity));
                    }
                }
            }
            for (Inet4Address ip : externals) {
                add(out, seen, new Frontend(new Frontend.Key(ip, p.getPort(), proto.get()), Frontend.Kind.EXTERNAL_IP,
                        name(svc), all, extLocal ? local : null, affinity));
            }
        }
        return new Result(out, problems);
    }

    private static void add(List<Frontend> out, Set<Frontend.Key> seen, Frontend f) {
        if (seen.add(f.key())) out.add(f);
    }

    static String name(Service svc) {
        return svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
    }

    private static List<Inet4Address> clusterIps(String id, ServiceSpec spec, List<Problem> problems) {
        List<String> raw = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
        List<Inet4Address> ips = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String s = raw.get(i);
            if (s == null || s.isEmpty() || s.equals("None")) continue; // headless, or not allocated (yet)
            if (s.contains(":")) continue; // IPv6: Twill is IPv4-only, the IPv4 family (if any) is served
            Optional<Inet4Address> a = ipv4(s);
            if (a.isEmpty()) {
                problems.add(new Problem(id, "spec.clusterIPs[" + i + "]", "invalid_cluster_ip", "'" + s + "' is not an IPv4 address"));
            } else if (!isUnicast(a.get())) {
                problems.add(new Problem(id, "spec.clusterIPs[" + i + "]", "invalid_cluster_ip", s + " is not a unicast address"));
            } else {
                ips.add(a.get());
            }
        }
        return ips;
    }

    private static List<Inet4Address> externalIps(String id, Service svc, List<Problem> problems) {
        Map<Inet4Address, Boolean> ips = new LinkedHashMap<>();
        List<String> ext = svc.getSpec().getExternalIPs() == null ? List.of() : svc.getSpec().getExternalIPs();
        for (int i = 0; i < ext.size(); i++) {
            String s = ext.get(i);
            if (s != null && s.contains(":")) continue;
            Optional<Inet4Address> a = s == null ? Optional.empty() : ipv4(s);
            if (a.isEmpty() || !isUnicast(a.get())) {
                problems.add(new Problem(id, "spec.externalIPs[" + i + "]", "invalid_external_ip", "'" + s + "' is not a unicast IPv4 address"));
            } else {
                ips.put(a.get(), true);
            }
        }
        if ("LoadBalancer".equals(svc.getSpec().getType()) && svc.getStatus() != null
                && svc.getStatus().getLoadBalancer() != null && svc.getStatus().getLoadBalancer().getIngress() != null) {
            List<LoadBalancerIngress> ing = svc.getStatus().getLoadBalancer().getIngress();
            for (int i = 0; i < ing.size(); i++) {
                String s = ing.get(i).getIp();
                if (s == null || s.contains(":")) continue; // hostname-only or IPv6 ingress
                Optional<Inet4Address> a = ipv4(s);
                if (a.isEmpty() || !isUnicast(a.get())) {
                    problems.add(new Problem(id, "status.loadBalancer.ingress[" + i + "].ip", "invalid_external_ip",
                            "'" + s + "' is not a unicast IPv4 address"));
                } else {
                    ips.put(a.get(), true);
                }
            }
        }
        return List.copyOf(ips.keySet());
    }

    private static int affinityTimeout(String id, ServiceSpec spec, List<Problem> problems) {
        if (!"ClientIP".equals(spec.getSessionAffinity())) return 0;
        Integer t = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                ? null : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        if (t == null) return DEFAULT_AFFINITY_TIMEOUT;
        if (t < 1 || t > 86400) {
            problems.add(new Problem(id, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "invalid_affinity",
                    "timeoutSeconds " + t + " is not 1..86400; using " + DEFAULT_AFFINITY_TIMEOUT));
            return DEFAULT_AFFINITY_TIMEOUT;
        }
        return t;
    }

    private static Optional<Integer> protocol(String id, String field, String protocol, List<Problem> problems) {
        String p = protocol == null ? "TCP" : protocol;
        return switch (p) {
            case "TCP" -> Optional.of(Frontend.TCP);
            case "UDP" -> Optional.of(Frontend.UDP);
            case "SCTP" -> {
                problems.add(new Problem(id, field + ".protocol", "unsupported_protocol",
                        "SCTP is not load-balanced by Twill (TCP and UDP are); this port is left to kube-proxy"));
                yield Optional.empty();
            }
            default -> {
                problems.add(new Problem(id, field + ".protocol", "unsupported_protocol", "unknown protocol '" + p + "'"));
                yield Optional.empty();
            }
        };
    }

    /**
     * The endpoints behind one service port: from every IPv4 slice, the slice port with the same name and protocol
     * gives the target port. Ready endpoints if there are any, else the serving and terminating ones.
     */
    private static List<Backend> backends(String id, ServicePort sp, int proto, List<EndpointSlice> slices,
                                          List<Problem> problems) {
        String name = sp.getName() == null ? "" : sp.getName();
        Map<Backend.Key, Backend> ready = new TreeMap<>(), terminating = new TreeMap<>();
        for (EndpointSlice s : slices) {
            String sid = "EndpointSlice " + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
            if (!"IPv4".equals(s.getAddressType())) continue; // reported once per slice by the watcher
            Integer port = null;
            for (EndpointPort ep : s.getPorts() == null ? List.<EndpointPort>of() : s.getPorts()) {
                String epName = ep.getName() == null ? "" : ep.getName();
                String epProto = ep.getProtocol() == null ? "TCP" : ep.getProtocol();
                if (epName.equals(name) && protocolNumber(epProto) == proto) port = ep.getPort();
            }
            if (port == null) continue; // this slice serves other ports of the service
            if (port < 1 || port > 65535) {
                problems.add(new Problem(sid, "ports[" + name + "].port", "invalid_port", "port " + port + " is not 1..65535"));
                continue;
            }
            List<Endpoint> eps = s.getEndpoints() == null ? List.of() : s.getEndpoints();
            for (int i = 0; i < eps.size(); i++) {
                Endpoint e = eps.get(i);
                EndpointConditions c = e.getConditions();
                boolean isReady = c == null || c.getReady() == null || c.getReady();
                boolean isServingTerminating = c != null && !Boolean.FALSE.equals(c.getServing())
                        && Boolean.TRUE.equals(c.getTerminating());
                if (!isReady && !isServingTerminating) continue;
                for (String a : e.getAddresses() == null ? List.<String>of() : e.getAddresses()) {
                    Optional<Inet4Address> addr = ipv4(a);
                    if (addr.isEmpty() || !isUnicast(addr.get())) {
                        problems.add(new Problem(sid, "endpoints[" + i + "].addresses", "invalid_endpoint",
                                "'" + a + "' is not a unicast IPv4 address"));
                        continue;
                    }
                    Backend b = new Backend(new Backend.Key(addr.get(), port, proto), !isReady, e.getNodeName());
                    (isReady ? ready : terminating).putIfAbsent(b.key(), b);
                }
            }
        }
        return List.copyOf((ready.isEmpty() ? terminating : ready).values());
    }

    static int protocolNumber(String p) {
        return switch (p) {
            case "TCP" -> Frontend.TCP;
            case "UDP" -> Frontend.UDP;
            default -> -1;
        };
    }

    /** A dotted-quad IPv4 literal, strictly (no DNS, no shortened forms). */
    static Optional<Inet4Address> ipv4(String s) {
        if (s == null || s.chars().filter(ch -> ch == '.').count() != 3) return Optional.empty();
        try {
            return Optional.of(Inet4Address.ofLiteral(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean isUnicast(Inet4Address a) {
        return !a.isAnyLocalAddress() && !a.isMulticastAddress() && !a.isLoopbackAddress()
                && !a.getHostAddress().equals("255.255.255.255");
    }
}
