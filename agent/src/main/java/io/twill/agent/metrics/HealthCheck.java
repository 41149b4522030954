package io.twill.agent.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One thing {@code /healthz} looks at. The agent core supplies them (datapath loaded, CNI server running); this
 * package combines them with {@link #all}.
 */
@FunctionalInterface
public interface HealthCheck {

    Health check();

    /** Healthy while {@code ok} says so, otherwise failing with {@code reason}. */
    static HealthCheck when(BooleanSupplier ok, String reason) {
        return () -> ok.getAsBoolean() ? Health.ok() : Health.failing(reason);
    }

    /** Healthy when every check is; otherwise all problems, in order. A check that throws is a problem too. */
    static HealthCheck all(List<HealthCheck> checks) {
        List<HealthCheck> copy = List.copyOf(checks);
        return () -> {
            List<String> problems = new ArrayList<>();
            for (HealthCheck c : copy) {
                try {
                    problems.addAll(c.check().problems());
                } catch (RuntimeException e) {
                    problems.add("health check failed: " + e);
                }
            }
            return problems.isEmpty() ? Health.ok() : new Health(false, problems);
        };
    }
}
