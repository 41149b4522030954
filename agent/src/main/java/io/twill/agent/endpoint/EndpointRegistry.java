package io.twill.agent.endpoint;

import java.net.Inet4Address;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live endpoints of this node, in memory, and their ids. Readers (metrics, status, twillctl) may call any
 * method from any thread; only the endpoint manager changes it.
 */
public final class EndpointRegistry {
    private final Map<EndpointKey, Endpoint> byKey = new ConcurrentHashMap<>();
    private final BitSet ids = new BitSet(Endpoint.MAX_ID + 1);
    private int nextId = 1;

    public Optional<Endpoint> get(EndpointKey key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public Optional<Endpoint> byIp(Inet4Address ip) {
        return byKey.values().stream().filter(e -> e.ip().equals(ip)).findFirst();
    }

    /** A snapshot, sorted by key. */
    public List<Endpoint> all() {
        return byKey.values().stream().sorted((a, b) -> a.key().compareTo(b.key())).toList();
    }

    public int count() {
        return byKey.size();
    }

    void put(Endpoint ep) {
        byKey.put(ep.key(), ep);
    }

    void remove(EndpointKey key) {
        byKey.remove(key);
    }

    Collection<Endpoint> values() {
        return byKey.values();
    }

    /** The next free id, next-fit after the last one handed out (1..65535). */
    synchronized int allocateId() {
        int id = ids.nextClearBit(nextId);
        if (id > Endpoint.MAX_ID) id = ids.nextClearBit(1);
        if (id > Endpoint.MAX_ID) throw new IllegalStateException("all " + Endpoint.MAX_ID + " endpoint ids are in use");
        ids.set(id);
        nextId = id + 1;
        return id;
    }

    /** Marks {@code id} used; false when it already was. */
    synchronized boolean reserveId(int id) {
        if (ids.get(id)) return false;
        ids.set(id);
        return true;
    }

    synchronized void releaseId(int id) {
        ids.clear(id);
    }
}
