package io.twill.agent.endpoint;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** An in-memory {@link EndpointStore} that fails on request. */
public final class MemoryEndpointStore implements EndpointStore {
    public final Map<EndpointKey, Endpoint> saved = new ConcurrentHashMap<>();
    public final Set<String> failOn = ConcurrentHashMap.newKeySet();

    @Override
    public Loaded load() {
        return new Loaded(List.copyOf(saved.values()), List.of());
    }

    @Override
    public void save(Endpoint ep) {
        if (failOn.remove("save")) throw new IllegalStateException("save: injected failure");
        saved.put(ep.key(), ep);
    }

    @Override
    public boolean delete(EndpointKey key) {
        if (failOn.remove("delete")) throw new IllegalStateException("delete: injected failure");
        return saved.remove(key) != null;
    }
}
