package io.twill.mockapi;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fabric8's CRUD dispatcher with a by-name index, watches whose closing cannot freeze the server, request counts and
 * an optional {@link MockApiServer.RequestHook} (the deploy module's recording server injects faults with it). Stock, every create/update/patch looks its object up by scanning
 * every stored object ({@code findResource}, GET by name), so N nodes joining cost O(N²) and 5,000 TwillNodes take
 * tens of seconds on two cores. Here the store is a map that also indexes entries by their {@code name} attribute,
 * and {@link #findResource} and {@link #handleGet} answer name lookups from that index; anything else (lists,
 * label selectors, watches, deletes) still takes the stock path. The answers are the same: a query's {@code name} attribute (type WITH) is
 * satisfied only by an entry holding an equal attribute, and an entry holds one attribute per key.
 *
 * <p>The store replaces the superclass's final map by reflection, and the watch fix reaches its listener set the
 * same way; if either ever fails (a newer JDK refusing final-field writes, a renamed field), the dispatcher logs
 * it and works the stock way.
 */
public class IndexedCrudDispatcher extends KubernetesCrudDispatcher {

    private static final Logger log = LoggerFactory.getLogger(IndexedCrudDispatcher.class);
    private static final String NAME = "name";

    private final IndexedStore store;
    private final Set<?> listeners;
    private final MockApiServer.RequestHook hook;
    private final Map<String, LongAdder> byMethod = new ConcurrentHashMap<>();

    /** @param hook sees every request first and may answer it (null: none) */
    public IndexedCrudDispatcher(MockApiServer.RequestHook hook) {
        this.hook = hook;
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
        Set<?> l;
        try {
            Field f = KubernetesCrudDispatcher.class.getDeclaredField("watchEventListeners");
            f.setAccessible(true);
            l = (Set<?>) f.get(this);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Mock API server keeps the stock watch close (may stall 30 s): {}", e.toString());
            l = null;
        }
        listeners = l;
    }

    boolean indexed() {
        return store != null;
    }

    /** Counts the request by method, lets the hook answer it, else serves it from the store. */
    @Override
    public MockResponse dispatch(RecordedRequest request) {
        byMethod.computeIfAbsent(String.valueOf(request.getMethod()), k -> new LongAdder()).increment();
        MockResponse answer = hook == null ? null : hook.intercept(request);
        return answer != null ? answer : super.dispatch(request);
    }

    /** Requests served so far, by HTTP method (watch upgrades count as GET). */
    public Map<String, Long> requestsByMethod() {
        Map<String, Long> out = new TreeMap<>();
        byMethod.forEach((k, v) -> out.put(k, v.sum()));
        return out;
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

    /**
     * Watches as stock, except that closing one never blocks an event loop. Stock, the watch listener's onClosed
     * waits (on the Vert.x event loop) for its sender thread, which may itself wait for a write only that event
     * loop can complete: every client that closes a watch while events flow (an informer stopping, an agent
     * restarting) froze that event loop, and every connection on it, for 30 s. Here a closed watch is first taken
     * off the list events are sent to, and its own close runs a second later on another thread (once sends already
     * under way have been queued; a send to its stopped sender would otherwise fail the write that caused it).
     */
    @Override
    public MockResponse handleWatch(String path) {
        MockResponse r = super.handleWatch(path);
        WebSocketListener listener = r.getWebSocketListener();
        return listener == null || listeners == null ? r : r.withWebSocketUpgrade(new CloseOffLoop(listener, listeners));
    }

    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "mock-watch-close");
        t.setDaemon(true);
        return t;
    });

    /** Delegates everything; detaches on close and runs the close and failure callbacks later, elsewhere. */
    private static final class CloseOffLoop extends WebSocketListener {
        private final WebSocketListener delegate;
        private final Set<?> listeners;

        CloseOffLoop(WebSocketListener delegate, Set<?> listeners) {
            this.delegate = delegate;
            this.listeners = listeners;
        }

        private void later(Runnable r) {
            listeners.remove(delegate);
            CLOSER.schedule(r, 1, TimeUnit.SECONDS);
        }

        @Override
        public void onBeforeAccept(WebSocket ws, Response response) {
            delegate.onBeforeAccept(ws, response);
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            delegate.onOpen(ws, response);
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            delegate.onMessage(ws, text);
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            delegate.onMessage(ws, bytes);
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            delegate.onMessage(ws, bytes);
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            delegate.onClosing(ws, code, reason);
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            later(() -> delegate.onClosed(ws, code, reason));
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            later(() -> delegate.onFailure(ws, t, response));
        }
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
