package io.twill.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One address of a node, as in a Kubernetes Node's {@code status.addresses}: {@code {type: InternalIP, ip: 10.0.0.4}}.
 * The agent writes its own; the operator only reads them.
 *
 * <p>Deserialization is lenient (nulls stay null) so one malformed object cannot break an informer; call
 * {@link #isInternalIP()} rather than comparing strings.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeAddress(String type, String ip) {

    /** The address type the agent and the tunnel map use. */
    public static final String INTERNAL_IP = "InternalIP";

    public static NodeAddress internalIP(String ip) {
        return new NodeAddress(INTERNAL_IP, ip);
    }

    @JsonIgnore
    public boolean isInternalIP() {
        return INTERNAL_IP.equals(type);
    }
}
