package io.twill.agent.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Connection tracking ({@code twill_ct}): how many connections the node tracks at most (the LRU evicts the least
 * recently used beyond that; 512 Ki entries take about 60 MiB of kernel memory, bench/README.md) and how often the
 * agent sweeps expired entries (and those of deleted pods), in seconds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConntrackConfig(Integer maxEntries, Integer gcIntervalSeconds) {
    public static final int DEFAULT_MAX_ENTRIES = 512 * 1024;

    public ConntrackConfig {
        maxEntries = maxEntries == null ? DEFAULT_MAX_ENTRIES : maxEntries;
        gcIntervalSeconds = gcIntervalSeconds == null ? 30 : gcIntervalSeconds;
        if (maxEntries < 1024 || maxEntries > 16 * 1024 * 1024) {
            throw new ConfigException("conntrack.maxEntries must be 1024..16777216, got " + maxEntries);
        }
        if (gcIntervalSeconds < 1 || gcIntervalSeconds > 3600) {
            throw new ConfigException("conntrack.gcIntervalSeconds must be 1..3600, got " + gcIntervalSeconds);
        }
    }
}
