package io.twill.agent.endpoint;

import java.util.List;

/** Persistence of endpoints (one record each), so a restarted agent finds what it made. Durable on return. */
public interface EndpointStore {

    /** What survived: readable endpoints, and problems (damaged files are reported and removed). */
    record Loaded(List<Endpoint> endpoints, List<String> problems) {
        public Loaded {
            endpoints = List.copyOf(endpoints);
            problems = List.copyOf(problems);
        }
    }

    Loaded load();

    /** Writes the endpoint's record atomically (replacing an older one). */
    void save(Endpoint ep);

    /** Deletes the record; false when there was none. */
    boolean delete(EndpointKey key);
}
