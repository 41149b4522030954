package io.twill.agent.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How Services are served when {@code kubeProxyReplacement} is on (Cilium's kube-proxy replacement): the NodePort
 * range (kube-apiserver's {@code --service-node-port-range}, 30000-32767 by default) and whether sockets are
 * load-balanced at connect time (cgroup hooks; off leaves only per-packet translation at TC).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServicesConfig(PortRange nodePortRange, Boolean socketLB) {
    public static final PortRange DEFAULT_NODE_PORT_RANGE = new PortRange(30000, 32767);

    public ServicesConfig {
        nodePortRange = nodePortRange == null ? DEFAULT_NODE_PORT_RANGE : nodePortRange;
        socketLB = socketLB == null || socketLB;
    }
}
