package io.twill.operator.mock;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fabric8's CRUD dispatcher with a by-name index. Stock, every create/update/patch looks its object up by scanning
 * every stored object ({@code findResource}, GET by name), so N nodes joining cost O(N²) and 5,000 TwillNodes take
 * tens of seconds on two cores. Here the store is a map that also indexes entries by their {@code name} attribute,
 * and {@link #findResource} and {@link #handleGet} answer name lookups from that index; anything else (lists,
 * label selectors, watches, deletes) still takes the stock path. The answers are the same: a query's {@code name} attribute (type WITH) is
 * satisfied only by an entry holding an equal attribute, and an entry holds one attribute per key.
 *
 * <p>The store replaces the superclass's private-final-by-convention map by reflection; if that ever fails
 * (a newer JDK refusing final-field writes), the dispatcher logs it and works unindexed.
 */
class IndexedCrudDispatcher extends KubernetesCrudDispatcher {

    private static final Logger log = LoggerFactory.getLogger(IndexedCrudDispatcher.class);
    private static final String NAME = "name";

    private final IndexedStore store;

    IndexedCrudDispatcher() {
        IndexedStore s = new IndexedStore();
        try {
            Field f = CrudDispatcher.class.getDeclaredField("map");
            f.setAccessible(true);
            f.set(this, s);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Mock API server runs without its name index (lookups scan every object): {}", e.toString());
            s = null;
        }
        store = s;
    }

    boolean indexed() {
        return store != null;
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        Attribute name = query.getAttribute(NAME);
        if (store == null || name == null || name.getType() != AttributeType.WITH) {
            return super.findResource(query);
        }
        return store.findByName(name, query);
    }

    /** GET of one object by name from the index; lists, selectors and everything else take the stock path. */
    @Override
    public MockResponse handleGet(String path) {
        if (store == null) {
            return super.handleGet(path);
        }
        AttributeSet query = getKey(path);
        Attribute name = query.getAttribute(NAME);
        if (name == null || name.getType() != AttributeType.WITH) {
            return super.handleGet(path);
        }
        Map.Entry<AttributeSet, String> found = store.findByName(name, query);
        return found == null ? new MockResponse().setResponseCode(404)
                : new MockResponse().setBody(found.getValue()).setResponseCode(200);
    }

    /** Insertion-ordered map of stored objects plus name attribute → keys. Callers hold the dispatcher's lock. */
    static final class IndexedStore extends AbstractMap<AttributeSet, String> {
        private final Map<AttributeSet, String> entries = new LinkedHashMap<>();
        private final Map<Attribute, Set<AttributeSet>> byName = new HashMap<>();

        synchronized Map.Entry<AttributeSet, String> findByName(Attribute name, AttributeSet query) {
            for (AttributeSet key : byName.getOrDefault(name, Set.of())) {
                if (key.matches(query)) {
                    return new SimpleImmutableEntry<>(key, entries.get(key));
                }
            }
            return null;
        }

        @Override
        public synchronized String put(AttributeSet key, String value) {
            Attribute name = key.getAttribute(NAME);
            if (name != null) {
                byName.computeIfAbsent(name, n -> new LinkedHashSet<>()).add(key);
            }
            return entries.put(key, value);
        }

        @Override
        public synchronized String remove(Object key) {
            if (key instanceof AttributeSet k) {
                Attribute name = k.getAttribute(NAME);
                Set<AttributeSet> bucket = name == null ? null : byName.get(name);
                if (bucket != null && bucket.remove(k) && bucket.isEmpty()) {
                    byName.remove(name);
                }
            }
            return entries.remove(key);
        }

        @Override
        public synchronized String get(Object key) {
            return entries.get(key);
        }

        @Override
        public synchronized boolean containsKey(Object key) {
            return entries.containsKey(key);
        }

        @Override
        public synchronized void clear() {
            entries.clear();
            byName.clear();
        }

        @Override
        public synchronized int size() {
            return entries.size();
        }

        /** A read-only snapshot (one array copy): the stock code streams or copies it while others may write. */
        @Override
        public synchronized Set<Map.Entry<AttributeSet, String>> entrySet() {
            List<Map.Entry<AttributeSet, String>> snapshot = new ArrayList<>(entries.entrySet());
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<AttributeSet, String>> iterator() {
                    return Collections.unmodifiableList(snapshot).iterator();
                }

                @Override
                public int size() {
                    return snapshot.size();
                }
            };
        }
    }
}
