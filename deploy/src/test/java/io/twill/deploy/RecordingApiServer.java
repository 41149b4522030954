package io.twill.deploy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The Fabric8 mock API server in CRUD mode that records every request with the User-Agent of the client that sent
 * it, so one server can host the code under test and the test's own fixture writes and tell them apart. It can also
 * refuse one matching request with an HTTP error, to drive the code down its retry paths.
 *
 * <p>Watches close off the server's event loop: stock, a client closing a watch while events flow can freeze a
 * Vert.x event loop of the mock for 30 s (its close waits for a sender that waits for that loop), and requests on
 * it stall. As the operator module's IndexedCrudDispatcher does, a closed watch is first taken off the dispatcher's
 * listener set, and its close callback runs a second later on another thread.
 */
final class RecordingApiServer implements AutoCloseable {

    /** One request as the server saw it. */
    record Seen(String userAgent, String method, String path) {
    }

    private record Fault(Predicate<RecordedRequest> match, int code) {
    }

    private final List<Seen> seen = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final KubernetesMockServer server;
    private final Config base;

    RecordingApiServer() {
        KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String ua = request.getHeader("User-Agent");
                synchronized (seen) {
                    seen.add(new Seen(ua == null ? "" : ua, request.getMethod(), request.getPath()));
                }
                Fault hit = null;
                synchronized (faults) {
                    for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
                        Fault f = it.next();
                        if (f.match().test(request)) {
                            hit = f;
                            it.remove();
                            break;
                        }
                    }
                }
                if (hit != null) {
                    return new MockResponse().setResponseCode(hit.code()).setBody("{\"kind\":\"Status\",\"apiVersion\":"
                            + "\"v1\",\"status\":\"Failure\",\"message\":\"injected by the test\",\"code\":" + hit.code() + "}");
                }
                return super.dispatch(request);
            }

            @Override
            public MockResponse handleWatch(String path) {
                MockResponse r = super.handleWatch(path);
                WebSocketListener l = r.getWebSocketListener();
                Set<?> listeners = watchListeners(this);
                return l == null || listeners == null ? r : r.withWebSocketUpgrade(new CloseLater(l, listeners));
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient probe = server.createClient();
        base = probe.getConfiguration();
        probe.close();
    }

    private static Set<?> watchListeners(KubernetesCrudDispatcher d) {
        try {
            Field f = KubernetesCrudDispatcher.class.getDeclaredField("watchEventListeners");
            f.setAccessible(true);
            return (Set<?>) f.get(d);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // a Fabric8 without that field: the stock close
        }
    }

    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "recording-api-watch-close");
        t.setDaemon(true);
        return t;
    });

    /** A watch's listener whose close and failure callbacks run later, on {@link #CLOSER}, once it is detached. */
    private static final class CloseLater extends WebSocketListener {
        private final WebSocketListener watch;
        private final Set<?> listeners;

        CloseLater(WebSocketListener watch, Set<?> listeners) {
            this.watch = watch;
            this.listeners = listeners;
        }

        private void detachThen(Runnable r) {
            listeners.remove(watch);
            CLOSER.schedule(r, 1, TimeUnit.SECONDS);
        }

        @Override
        public void onBeforeAccept(WebSocket ws, Response response) {
            watch.onBeforeAccept(ws, response);
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            watch.onOpen(ws, response);
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            watch.onMessage(ws, text);
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            watch.onMessage(ws, bytes);
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            watch.onMessage(ws, bytes);
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            watch.onClosing(ws, code, reason);
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            detachThen(() -> watch.onClosed(ws, code, reason));
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            detachThen(() -> watch.onFailure(ws, t, response));
        }
    }

    /** A client whose requests carry {@code userAgent}. Closed with the server. */
    KubernetesClient client(String userAgent) {
        KubernetesClient c = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(base).withUserAgent(userAgent).build()).build();
        synchronized (clients) {
            clients.add(c);
        }
        return c;
    }

    /** Answers the next request with {@code method} whose path contains {@code pathPart} with HTTP {@code code}. */
    void failOnce(String method, String pathPart, int code) {
        synchronized (faults) {
            faults.add(new Fault(r -> r.getMethod().equals(method) && r.getPath().contains(pathPart), code));
        }
    }

    /** Every request so far from clients with this User-Agent. */
    List<Seen> requestsFrom(String userAgent) {
        synchronized (seen) {
            return seen.stream().filter(s -> s.userAgent().equals(userAgent)).toList();
        }
    }

    @Override
    public void close() {
        synchronized (clients) {
            clients.forEach(KubernetesClient::close);
        }
        server.destroy();
    }
}
