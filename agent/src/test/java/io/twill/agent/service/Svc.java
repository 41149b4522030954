package io.twill.agent.service;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.List;
import java.util.Map;

/** Services and EndpointSlices as the API server and the endpoint-slice controller write them, for tests. */
final class Svc {
    private Svc() {}

    static ServicePort port(String name, String proto, int port, Object target) {
        return new ServicePortBuilder().withName(name).withProtocol(proto).withPort(port)
                .withTargetPort(target instanceof Integer i ? new IntOrString(i) : new IntOrString((String) target)).build();
    }

    static ServicePort nodePort(String name, String proto, int port, Object target, int nodePort) {
        ServicePort p = port(name, proto, port, target);
        p.setNodePort(nodePort);
        return p;
    }

    static Service clusterIp(String ns, String name, String ip, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).withResourceVersion("1").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ip).withClusterIPs(ip).withPorts(ports).endSpec().build();
    }

    static Service nodePortService(String ns, String name, String ip, String externalPolicy, ServicePort... ports) {
        Service s = clusterIp(ns, name, ip, ports);
        s.getSpec().setType("NodePort");
        s.getSpec().setExternalTrafficPolicy(externalPolicy);
        return s;
    }

    static EndpointPort slicePort(String name, String proto, int port) {
        return new EndpointPortBuilder().withName(name).withProtocol(proto).withPort(port).build();
    }

    static Endpoint ready(String ip, String node) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node).withNewConditions().withReady(true)
                .withServing(true).withTerminating(false).endConditions().build();
    }

    static Endpoint notReady(String ip, String node) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node).withNewConditions().withReady(false)
                .withServing(false).withTerminating(false).endConditions().build();
    }

    static Endpoint servingTerminating(String ip, String node) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node).withNewConditions().withReady(false)
                .withServing(true).withTerminating(true).endConditions().build();
    }

    static EndpointSlice slice(String ns, String service, String name, List<EndpointPort> ports, Endpoint... eps) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name).withResourceVersion("1")
                .withLabels(Map.of(ServiceTranslator.SERVICE_NAME_LABEL, service)).endMetadata()
                .withAddressType("IPv4").withPorts(ports).withEndpoints(eps).build();
    }
}
