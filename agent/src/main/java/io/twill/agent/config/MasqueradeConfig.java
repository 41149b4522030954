package io.twill.agent.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.twill.types.Ipv4Prefix;

import java.util.List;

/**
 * Masquerading of pod traffic that leaves the cluster (like Cilium's BPF masquerade with ip-masq-agent's
 * nonMasqueradeCIDRs): pods reaching addresses outside the cluster CIDR, the node network and
 * {@code nonMasqueradeCIDRs} appear with the node's address, from a port of {@code portRange}. The range must stay
 * out of the node's own ephemeral ports ({@code net.ipv4.ip_local_port_range}, 32768-60999 by default), so that the
 * node's connections and the pods' never claim the same port; the agent checks it at start.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MasqueradeConfig(Boolean enabled, List<Ipv4Prefix> nonMasqueradeCIDRs, PortRange portRange) {
    public static final PortRange DEFAULT_PORT_RANGE = new PortRange(61000, 65535);

    public MasqueradeConfig {
        enabled = enabled == null || enabled;
        nonMasqueradeCIDRs = nonMasqueradeCIDRs == null ? List.of() : List.copyOf(nonMasqueradeCIDRs);
        portRange = portRange == null ? DEFAULT_PORT_RANGE : portRange;
        if (portRange.size() < 64) {
            throw new ConfigException("masquerade.portRange " + portRange + " holds fewer than 64 ports");
        }
    }
}
