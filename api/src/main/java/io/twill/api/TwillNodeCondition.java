package io.twill.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * One entry of {@code status.conditions}, shaped like Kubernetes' {@code metav1.Condition}: type, status
 * ({@code True}/{@code False}/{@code Unknown}), a CamelCase reason, a human message and the RFC 3339 time the
 * status last changed.
 *
 * <p>Condition types: {@link #READY} (written by the agent) and {@link #POD_CIDR_ALLOCATED} (written by the
 * operator). The operator's success is the CIDR in {@code spec.ipam.podCIDRs}; it adds {@code PodCIDRAllocated}
 * only when it cannot give the node a CIDR (False; the reason says why: {@link #REASON_EXHAUSTED},
 * {@link #REASON_INVALID}, {@link #REASON_OUT_OF_POOL}, {@link #REASON_CONFLICT}) and turns it True once that is
 * resolved. An absent condition means nothing went wrong; this keeps node joins at one API write each.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TwillNodeCondition(String type, String status, String reason, String message, String lastTransitionTime) {

    /** Agent: datapath loaded, pod CIDR received, CNI server up. */
    public static final String READY = "Ready";
    /** Operator: the node holds a valid pod CIDR from the cluster pool. */
    public static final String POD_CIDR_ALLOCATED = "PodCIDRAllocated";

    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    /** {@link #POD_CIDR_ALLOCATED} True: the operator assigned (or adopted) the CIDRs in spec.ipam.podCIDRs. */
    public static final String REASON_ALLOCATED = "PodCIDRAllocated";
    /** {@link #POD_CIDR_ALLOCATED} False: every pool CIDR is in use; allocation resumes when a node goes. */
    public static final String REASON_EXHAUSTED = "PodCIDRExhausted";
    /** {@link #POD_CIDR_ALLOCATED} False: spec.ipam.podCIDRs holds something that is not a usable IPv4 CIDR. */
    public static final String REASON_INVALID = "PodCIDRInvalid";
    /** {@link #POD_CIDR_ALLOCATED} False: spec.ipam.podCIDRs lies outside clusterPoolIPv4PodCIDRList. */
    public static final String REASON_OUT_OF_POOL = "PodCIDROutOfPool";
    /** {@link #POD_CIDR_ALLOCATED} False: spec.ipam.podCIDRs overlaps another node's CIDR. */
    public static final String REASON_CONFLICT = "PodCIDRConflict";

    public static TwillNodeCondition of(String type, boolean status, String reason, String message, Instant now) {
        return new TwillNodeCondition(type, status ? TRUE : FALSE, reason, message,
                now.truncatedTo(ChronoUnit.SECONDS).toString());
    }

    @JsonIgnore
    public boolean isTrue() {
        return TRUE.equals(status);
    }

    /** {@link #lastTransitionTime()} parsed, or empty when missing or malformed. */
    @JsonIgnore
    public Optional<Instant> lastTransition() {
        try {
            return Optional.ofNullable(lastTransitionTime).map(Instant::parse);
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Same type, status, reason and message (the transition time is ignored). */
    public boolean sameAs(TwillNodeCondition other) {
        return other != null && java.util.Objects.equals(type, other.type) && java.util.Objects.equals(status, other.status)
                && java.util.Objects.equals(reason, other.reason) && java.util.Objects.equals(message, other.message);
    }
}
