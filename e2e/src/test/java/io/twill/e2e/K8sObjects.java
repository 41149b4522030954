package io.twill.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes objects as the API server holds them, as plain maps for the local cluster's API: Services as a user
 * writes them (with the ClusterIP and NodePort the API server would allocate), EndpointSlices as the endpoint-slice
 * controller writes them (there is no controller manager in the local cluster).
 */
final class K8sObjects {
    private K8sObjects() {}

    record Port(String name, String protocol, int port, int targetPort, Integer nodePort) {
        static Port tcp(String name, int port, int target) {
            return new Port(name, "TCP", port, target, null);
        }

        static Port udp(String name, int port, int target) {
            return new Port(name, "UDP", port, target, null);
        }

        Port withNodePort(int np) {
            return new Port(name, protocol, port, targetPort, np);
        }
    }

    /** A ready endpoint on a node, as the controller writes it for a ready pod. */
    record Ep(String ip, String node, boolean ready, boolean terminating) {
        static Ep ready(String ip, String node) {
            return new Ep(ip, node, true, false);
        }
    }

    static Map<String, Object> service(String ns, String name, String type, String clusterIp, String externalPolicy,
                                       List<Port> ports) {
        List<Object> ps = new ArrayList<>();
        for (Port p : ports) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("protocol", p.protocol());
            m.put("port", p.port());
            m.put("targetPort", p.targetPort());
            if (p.nodePort() != null) m.put("nodePort", p.nodePort());
            ps.add(m);
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", type);
        spec.put("clusterIP", clusterIp);
        spec.put("clusterIPs", List.of(clusterIp));
        spec.put("ports", ps);
        if (externalPolicy != null) spec.put("externalTrafficPolicy", externalPolicy);
        return Map.of("apiVersion", "v1", "kind", "Service",
                "metadata", Map.of("name", name, "namespace", ns), "spec", spec);
    }

    static Map<String, Object> endpointSlice(String ns, String service, String name, List<Port> ports, List<Ep> eps) {
        List<Object> ps = new ArrayList<>();
        for (Port p : ports) ps.add(Map.of("name", p.name(), "protocol", p.protocol(), "port", p.targetPort()));
        List<Object> es = new ArrayList<>();
        for (Ep e : eps) {
            es.add(Map.of("addresses", List.of(e.ip()), "nodeName", e.node(), "conditions",
                    Map.of("ready", e.ready() && !e.terminating(), "serving", e.ready(), "terminating", e.terminating())));
        }
        return Map.of("apiVersion", "discovery.k8s.io/v1", "kind", "EndpointSlice",
                "metadata", Map.of("name", name, "namespace", ns,
                        "labels", Map.of("kubernetes.io/service-name", service, "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")),
                "addressType", "IPv4", "ports", ps, "endpoints", es);
    }

    static String servicesPath(String ns) {
        return "/api/v1/namespaces/" + ns + "/services";
    }

    static String slicesPath(String ns) {
        return "/apis/discovery.k8s.io/v1/namespaces/" + ns + "/endpointslices";
    }
}
