package io.twill.agent.service;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.List;

import static io.twill.agent.service.Svc.*;
import static org.assertj.core.api.Assertions.assertThat;

class ServiceTranslatorTest {
    private static final Inet4Address NODE_IP = Inet4Address.ofLiteral("10.99.0.11");
    private final ServiceTranslator t = new ServiceTranslator(new ServiceTranslator.Node("node1", List.of(NODE_IP), 30000, 32767));

    private static List<String> show(List<Frontend> fs) {
        return fs.stream().map(f -> f.kind() + " " + f.key() + " -> " + f.backends()
                + (f.local() ? " local " + f.localBackends() : "") + (f.affinityTimeout() > 0 ? " aff " + f.affinityTimeout() : "")).toList();
    }

    @Test
    void clusterIpPortsResolveTargetPortsByNameAndKeepOnlyReadyEndpoints() {
        Service svc = clusterIp("default", "web", "10.96.0.10", port("http", "TCP", 80, "web"), port("dns", "UDP", 53, 5353));
        EndpointSlice a = slice("default", "web", "web-abc", List.of(slicePort("http", "TCP", 8080), slicePort("dns", "UDP", 5353)),
                ready("10.244.0.5", "node1"), notReady("10.244.0.6", "node1"), ready("10.244.1.7", "node2"));
        EndpointSlice b = slice("default", "web", "web-def", List.of(slicePort("http", "TCP", 9090)), ready("10.244.2.9", "node3"));

        ServiceTranslator.Result r = t.translate(svc, List.of(a, b));

        assertThat(r.problems()).isEmpty();
        assertThat(show(r.frontends())).containsExactly(
                "CLUSTER_IP 10.96.0.10:80/TCP -> [10.244.0.5:8080, 10.244.1.7:8080, 10.244.2.9:9090]",
                "CLUSTER_IP 10.96.0.10:53/UDP -> [10.244.0.5:5353, 10.244.1.7:5353]");
    }

    @Test
    void servingTerminatingEndpointsServeOnlyWhenNoneIsReady() {
        Service svc = clusterIp("default", "web", "10.96.0.10", port("", "TCP", 80, 8080));
        EndpointSlice s = slice("default", "web", "s", List.of(slicePort("", "TCP", 8080)),
                servingTerminating("10.244.0.5", "node1"), notReady("10.244.0.6", "node1"));
        assertThat(show(t.translate(svc, List.of(s)).frontends()))
                .containsExactly("CLUSTER_IP 10.96.0.10:80/TCP -> [10.244.0.5:8080 (terminating)]");

        EndpointSlice withReady = slice("default", "web", "s", List.of(slicePort("", "TCP", 8080)),
                servingTerminating("10.244.0.5", "node1"), ready("10.244.0.7", "node2"));
        assertThat(show(t.translate(svc, List.of(withReady)).frontends()))
                .containsExactly("CLUSTER_IP 10.96.0.10:80/TCP -> [10.244.0.7:8080]");
    }

    @Test
    void readyUnsetCountsAsReadyAndNoEndpointsGiveAnEmptyFrontend() {
        Service svc = clusterIp("default", "web", "10.96.0.10", port(null, "TCP", 80, 8080));
        EndpointSlice s = slice("default", "web", "s", List.of(slicePort(null, "TCP", 8080)), ready("10.244.0.5", null));
        s.getEndpoints().get(0).setConditions(null);
        assertThat(show(t.translate(svc, List.of(s)).frontends())).containsExactly("CLUSTER_IP 10.96.0.10:80/TCP -> [10.244.0.5:8080]");
        assertThat(show(t.translate(svc, List.of()).frontends())).containsExactly("CLUSTER_IP 10.96.0.10:80/TCP -> []");
    }

    @Test
    void nodePortsOnTheNodeAddressesWithLocalBackendsForExternalTrafficPolicyLocal() {
        Service svc = nodePortService("default", "web", "10.96.0.10", "Local", nodePort("http", "TCP", 80, 8080, 30080));
        EndpointSlice s = slice("default", "web", "s", List.of(slicePort("http", "TCP", 8080)),
                ready("10.244.0.5", "node1"), ready("10.244.1.7", "node2"));
        ServiceTranslator.Result r = t.translate(svc, List.of(s));
        assertThat(show(r.frontends())).containsExactly(
                "CLUSTER_IP 10.96.0.10:80/TCP -> [10.244.0.5:8080, 10.244.1.7:8080]",
                "NODE_PORT 10.99.0.11:30080/TCP -> [10.244.0.5:8080, 10.244.1.7:8080] local [10.244.0.5:8080]");
    }

    @Test
    void externalIpsLoadBalancerIngressInternalTrafficPolicyAndAffinity() {
        Service svc = nodePortService("default", "web", "10.96.0.10", "Cluster", nodePort("http", "TCP", 80, 8080, 30080));
        svc.getSpec().setType("LoadBalancer");
        svc.getSpec().setExternalIPs(List.of("192.0.2.10", "2001:db8::1"));
        svc.getSpec().setInternalTrafficPolicy("Local");
        svc.getSpec().setSessionAffinity("ClientIP");
        svc.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                .withIngress(new LoadBalancerIngressBuilder().withIp("198.51.100.7").build(),
                        new LoadBalancerIngressBuilder().withHostname("lb.example").build()).endLoadBalancer().build());
        EndpointSlice s = slice("default", "web", "s", List.of(slicePort("http", "TCP", 8080)),
                ready("10.244.0.5", "node1"), ready("10.244.1.7", "node2"));
        ServiceTranslator.Result r = t.translate(svc, List.of(s));
        assertThat(r.problems()).isEmpty();
        assertThat(show(r.frontends())).containsExactly(
                "CLUSTER_IP 10.96.0.10:80/TCP -> [10.244.0.5:8080] aff 10800",
                "NODE_PORT 10.99.0.11:30080/TCP -> [10.244.0.5:8080, 10.244.1.7:8080] aff 10800",
                "EXTERNAL_IP 192.0.2.10:80/TCP -> [10.244.0.5:8080, 10.244.1.7:8080] aff 10800",
                "EXTERNAL_IP 198.51.100.7:80/TCP -> [10.244.0.5:8080, 10.244.1.7:8080] aff 10800");
    }

    @Test
    void headlessExternalNameAndIpv6OnlyServicesHaveNoFrontends() {
        Service headless = clusterIp("default", "h", "None", port("http", "TCP", 80, 8080));
        Service v6 = clusterIp("default", "v6", "fd00::10", port("http", "TCP", 80, 8080));
        Service ext = clusterIp("default", "e", "", port("http", "TCP", 80, 8080));
        ext.getSpec().setType("ExternalName");
        for (Service s : List.of(headless, v6, ext)) {
            ServiceTranslator.Result r = t.translate(s, List.of());
            assertThat(r.frontends()).as(s.getMetadata().getName()).isEmpty();
            assertThat(r.problems()).as(s.getMetadata().getName()).isEmpty();
        }
    }

    @Test
    void badFieldsAreReportedByFieldAndTheRestIsKept() {
        Service svc = nodePortService("shop", "bad", "10.96.0.300", "Cluster",
                nodePort("a", "TCP", 80, 8080, 40000), port("b", "SCTP", 81, 81), port("c", "TCP", 0, 82),
                nodePort("d", "UDP", 53, 53, 30053));
        svc.getSpec().setClusterIPs(List.of("10.96.0.300", "10.96.0.11"));
        svc.getSpec().setSessionAffinity("ClientIP");
        svc.getSpec().setSessionAffinityConfig(new io.fabric8.kubernetes.api.model.SessionAffinityConfigBuilder()
                .withNewClientIP().withTimeoutSeconds(0).endClientIP().build());
        EndpointSlice s = slice("shop", "bad", "bad-1", List.of(slicePort("d", "UDP", 53)),
                ready("10.244.0.5", "node1"), ready("not-an-ip", "node1"));

        ServiceTranslator.Result r = t.translate(svc, List.of(s));

        assertThat(r.problems()).extracting(p -> p.object() + " " + p.field() + " " + p.reason()).containsExactlyInAnyOrder(
                "Service shop/bad spec.clusterIPs[0] invalid_cluster_ip",
                "Service shop/bad spec.sessionAffinityConfig.clientIP.timeoutSeconds invalid_affinity",
                "Service shop/bad spec.ports[0].nodePort node_port_out_of_range",
                "Service shop/bad spec.ports[1].protocol unsupported_protocol",
                "Service shop/bad spec.ports[2].port invalid_port",
                "EndpointSlice shop/bad-1 endpoints[1].addresses invalid_endpoint");
        assertThat(r.problems().get(0).message()).contains("10.96.0.300");
        assertThat(show(r.frontends())).containsExactly(
                "CLUSTER_IP 10.96.0.11:80/TCP -> [] aff 10800",
                "CLUSTER_IP 10.96.0.11:53/UDP -> [10.244.0.5:53] aff 10800",
                "NODE_PORT 10.99.0.11:30053/UDP -> [10.244.0.5:53] aff 10800");
    }

    @Test
    void slicesOfOtherAddressTypesAreSkipped() {
        Service svc = clusterIp("default", "web", "10.96.0.10", port("http", "TCP", 80, 8080));
        EndpointSlice fqdn = slice("default", "web", "f", List.of(slicePort("http", "TCP", 8080)), ready("db.example", null));
        fqdn.setAddressType("FQDN");
        EndpointSlice v6 = slice("default", "web", "v6", List.of(slicePort("http", "TCP", 8080)), ready("fd00::5", null));
        v6.setAddressType("IPv6");
        ServiceTranslator.Result r = t.translate(svc, List.of(fqdn, v6));
        assertThat(show(r.frontends())).containsExactly("CLUSTER_IP 10.96.0.10:80/TCP -> []");
        assertThat(r.problems()).isEmpty();
    }
}
