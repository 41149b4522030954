package io.twill.agent.metrics;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/status}: everything {@code twillctl status} prints about the running agent.
 *
 * @param agent      identity and modes
 * @param healthy    as {@code /healthz}
 * @param problems   why not healthy
 * @param ipamUsed   pod IPs in use, null before IPAM runs
 * @param ipamAvailable pod IPs free, null before IPAM runs
 * @param endpoints  live endpoints
 * @param nodes      TwillNodes seen, null in standalone mode
 * @param nodeTables entries per node table
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusReport(AgentSummary agent, boolean healthy, List<String> problems, Integer ipamUsed,
                           Integer ipamAvailable, int endpoints, Integer nodes, Map<String, Integer> nodeTables) {

    public static StatusReport of(AgentView v) {
        Health h = v.health();
        var ipam = v.ipamUsage();
        return new StatusReport(v.summary(), h.healthy(), h.problems(),
                ipam.map(u -> u.used()).orElse(null), ipam.map(u -> u.available()).orElse(null),
                v.endpoints().size(), v.nodeCount().orElse(null), v.nodeTableEntries());
    }
}
