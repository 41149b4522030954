package io.twill.agent.metrics;

import java.util.List;
import java.util.Objects;

/**
 * The agent's identity and configuration as twillctl and {@code /v1/status} show it.
 *
 * @param nodeName   the node (and TwillNode) name
 * @param version    agent build
 * @param startTime  RFC 3339
 * @param mode       "kubernetes" or "standalone"
 * @param routing    "overlay" or "native"
 * @param attachMode how programs are attached to devices: "cls_bpf" or "tcx", null until the datapath is loaded
 * @param nodeIp     underlay IPv4, null until the node is set up
 * @param podCidrs   this node's pod CIDRs, empty until known
 * @param pinRoot    where the maps are pinned
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record AgentSummary(String nodeName, String version, String startTime, String mode, String routing,
                           String attachMode, String nodeIp, List<String> podCidrs, String pinRoot) {
    public AgentSummary {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(version, "version");
        podCidrs = podCidrs == null ? List.of() : List.copyOf(podCidrs);
    }
}
