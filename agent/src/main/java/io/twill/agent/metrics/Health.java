package io.twill.agent.metrics;

import java.util.List;
import java.util.Objects;

/**
 * The agent's health as {@code /healthz} and the TwillNode's Ready condition report it: healthy, or not with the
 * reasons in words ("datapath not loaded: ...", "CNI server is not running").
 */
public record Health(boolean healthy, List<String> problems) {

    private static final Health OK = new Health(true, List.of());

    public Health {
        problems = List.copyOf(problems);
        if (healthy != problems.isEmpty()) {
            throw new IllegalArgumentException("healthy iff no problems, got " + healthy + " with " + problems);
        }
    }

    public static Health ok() {
        return OK;
    }

    public static Health failing(String reason) {
        return new Health(false, List.of(Objects.requireNonNull(reason, "reason")));
    }

    /** The problems joined for humans; "ok" when there are none. */
    public String summary() {
        return healthy ? "ok" : String.join("; ", problems);
    }
}
