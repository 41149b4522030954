package io.twill.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code TwillNode.status}: conditions (the agent's {@code Ready}, the operator's {@code PodCIDRAllocated}),
 * the agent's pod IP usage and its version/start time. Each writer replaces only its own parts: use
 * {@link #withCondition} so other writers' conditions survive.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TwillNodeStatus(List<TwillNodeCondition> conditions, IpamStatus ipam, AgentStatus agent) {

    public static final TwillNodeStatus EMPTY = new TwillNodeStatus(List.of(), null, null);

    public TwillNodeStatus {
        conditions = conditions == null ? List.of() : conditions.stream().filter(Objects::nonNull).toList();
    }

    public Optional<TwillNodeCondition> condition(String type) {
        return conditions.stream().filter(c -> Objects.equals(type, c.type())).findFirst();
    }

    /**
     * This status with {@code c} replacing the condition of the same type (appended if absent). When only the
     * message/reason changes and the status stays, the old lastTransitionTime is kept, as Kubernetes does.
     */
    public TwillNodeStatus withCondition(TwillNodeCondition c) {
        List<TwillNodeCondition> next = new ArrayList<>(conditions.size() + 1);
        boolean replaced = false;
        for (TwillNodeCondition old : conditions) {
            if (Objects.equals(old.type(), c.type())) {
                boolean keepTime = Objects.equals(old.status(), c.status()) && old.lastTransitionTime() != null;
                next.add(keepTime ? new TwillNodeCondition(c.type(), c.status(), c.reason(), c.message(),
                        old.lastTransitionTime()) : c);
                replaced = true;
            } else {
                next.add(old);
            }
        }
        if (!replaced) {
            next.add(c);
        }
        return new TwillNodeStatus(next, ipam, agent);
    }

    public TwillNodeStatus withIpam(IpamStatus newIpam) {
        return new TwillNodeStatus(conditions, newIpam, agent);
    }

    public TwillNodeStatus withAgent(AgentStatus newAgent) {
        return new TwillNodeStatus(conditions, ipam, newAgent);
    }
}
