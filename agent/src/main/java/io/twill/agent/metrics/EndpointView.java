package io.twill.agent.metrics;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.twill.agent.endpoint.Endpoint;

/**
 * One endpoint as {@code /v1/endpoints} and {@code twillctl endpoint list} show it. The field names are those of
 * the agent's endpoint state files ({@code <stateDir>/endpoints/*.json}), so twillctl reads either source the same way.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointView(int id, String containerId, String ifname, String podNamespace, String podName,
                           String ip, String hostIfname, int hostIfindex, String hostMac, String podMac, String netns,
                           String created) {

    public static EndpointView of(Endpoint e) {
        return new EndpointView(e.id(), e.key().containerId(), e.key().ifname(), e.podNamespace(), e.podName(),
                e.ip().getHostAddress(), e.hostIfname(), e.hostIfindex(), e.hostMac().toString(),
                e.podMac().toString(), e.netns() == null ? null : e.netns().toString(), e.created().toString());
    }

    /** "namespace/name", or the container id (first 12 characters) when the runtime gave no pod. */
    public String pod() {
        if (podName != null) {
            return (podNamespace == null ? "" : podNamespace + "/") + podName;
        }
        return containerId == null ? "-" : containerId.substring(0, Math.min(12, containerId.length()));
    }
}
