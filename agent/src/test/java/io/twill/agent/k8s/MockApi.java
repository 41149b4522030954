package io.twill.agent.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The Fabric8 mock API server in CRUD mode, with a hook to inject faults: a rule matches a request (method and
 * path) once, and either answers it with an error or runs an action (e.g. a concurrent write) before the CRUD
 * dispatcher handles it. Can be stopped and restarted on the same port with the same contents, to break watches.
 */
final class MockApi implements AutoCloseable {

    private record Rule(Predicate<RecordedRequest> match, Consumer<RecordedRequest> before, int code,
                        MockResponse response) {
        Rule(Predicate<RecordedRequest> match, Consumer<RecordedRequest> before, int code) {
            this(match, before, code, null);
        }
    }

    final class Dispatcher extends KubernetesCrudDispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            Rule hit = null;
            synchronized (rules) {
                for (Iterator<Rule> it = rules.iterator(); it.hasNext(); ) {
                    Rule r = it.next();
                    if (r.match.test(request)) {
                        hit = r;
                        it.remove();
                        break;
                    }
                }
            }
            if (hit != null) {
                if (hit.before != null) {
                    hit.before.accept(request);
                }
                if (hit.response != null) {
                    return hit.response;
                }
                if (hit.code != 0) {
                    return new MockResponse().setResponseCode(hit.code).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                            + "\"status\":\"Failure\",\"message\":\"injected " + hit.code + "\",\"code\":" + hit.code + "}");
                }
            }
            return super.dispatch(request);
        }

        /** Handles a request in this thread, bypassing HTTP and the fault rules (safe inside a rule's action). */
        MockResponse direct(String method, String path, String body) {
            Buffer b = new Buffer();
            if (body != null) {
                b.writeUtf8(body);
            }
            Headers h = Headers.builder().add("Content-Type", "application/json").build();
            return super.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(method), path, h, b));
        }
    }

    private final List<Rule> rules = new ArrayList<>();
    private final Dispatcher dispatcher = new Dispatcher();
    private KubernetesMockServer server;
    private final KubernetesClient client;
    private final int port;

    MockApi() {
        server = newServer();
        server.init(InetAddress.getLoopbackAddress(), 0);
        port = server.getPort();
        client = server.createClient();
    }

    private KubernetesMockServer newServer() {
        return new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    }

    KubernetesClient client() {
        return client;
    }

    /** The next request with this method whose path contains {@code pathPart} is answered with {@code code}. */
    void failOnce(String method, String pathPart, int code) {
        synchronized (rules) {
            rules.add(new Rule(r -> r.getMethod().equals(method) && r.getPath().contains(pathPart), null, code));
        }
    }

    /**
     * The next watch is accepted and then answered, as a real API server does when the requested resourceVersion
     * is older than the history it keeps, with an ERROR event carrying 410 Gone; the client must list again.
     */
    void expireNextWatch() {
        MockResponse gone = new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws, Response response) {
                ws.send("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                        + "\"status\":\"Failure\",\"reason\":\"Expired\",\"message\":\"too old resource version\","
                        + "\"code\":410}}");
                ws.close(1000, "expired");
            }
        });
        synchronized (rules) {
            rules.add(new Rule(r -> r.getMethod().equals("GET") && r.getPath().contains("watch=true"), null, 0, gone));
        }
    }

    /**
     * Before the next matching request is handled, runs {@code action}. The action runs inside the server's request
     * handling, so it must not use {@link #client()} (that would wait for itself); use the {@code direct*} methods.
     */
    void beforeOnce(String method, String pathPart, Runnable action) {
        synchronized (rules) {
            rules.add(new Rule(r -> r.getMethod().equals(method) && r.getPath().contains(pathPart),
                    r -> action.run(), 0));
        }
    }

    /** Stops serving (open watches break). The contents stay. */
    void stop() {
        server.destroy();
    }

    /** Serves the same contents on the same port again. */
    void restart() {
        server = newServer();
        server.init(InetAddress.getLoopbackAddress(), port);
    }

    private static final String PATH = "/apis/twill.io/v1alpha1/twillnodes";

    /** Deletes an object without HTTP (works while the server is stopped, or inside a rule's action). */
    void directDelete(String name) {
        dispatcher.direct("DELETE", PATH + "/" + name, null);
    }

    boolean directExists(String name) {
        return dispatcher.direct("GET", PATH + "/" + name, null).code() == 200;
    }

    void directCreate(TwillNode n) {
        MockResponse r = dispatcher.direct("POST", PATH, Serialization.asJson(n));
        if (r.code() != 201) {
            throw new IllegalStateException("direct create: HTTP " + r.code() + " " + r.getBody().readUtf8());
        }
    }

    /** Sets the pod CIDRs as the operator would (read, change, write with the read's resourceVersion), no HTTP. */
    void directSetCidrs(String name, String... cidrs) {
        MockResponse got = dispatcher.direct("GET", PATH + "/" + name, null);
        TwillNode n = Serialization.unmarshal(got.getBody().readUtf8(), TwillNode.class);
        n.setSpec(n.getSpec().withPodCIDRs(List.of(cidrs)));
        MockResponse r = dispatcher.direct("PUT", PATH + "/" + name, Serialization.asJson(n));
        if (r.code() != 200) {
            throw new IllegalStateException("direct update: HTTP " + r.code() + " " + r.getBody().readUtf8());
        }
    }

    TwillNode node(String name, String ip, String... cidrs) {
        TwillNode n = TwillNode.create(name, ip == null ? List.of() : List.of(NodeAddress.internalIP(ip)));
        n.setSpec(n.getSpec().withPodCIDRs(List.of(cidrs)));
        return n;
    }

    TwillNode create(String name, String ip, String... cidrs) {
        return client.resources(TwillNode.class).resource(node(name, ip, cidrs)).create();
    }

    /** Sets a node's pod CIDRs as the operator does (read, change spec.ipam, update). */
    TwillNode setCidrs(String name, String... cidrs) {
        return client.resources(TwillNode.class).withName(name).edit(n -> {
            n.setSpec(n.getSpec().withPodCIDRs(List.of(cidrs)));
            return n;
        });
    }

    TwillNode setIp(String name, String ip) {
        return client.resources(TwillNode.class).withName(name).edit(n -> {
            n.setSpec(n.getSpec().withAddresses(List.of(NodeAddress.internalIP(ip))));
            return n;
        });
    }

    TwillNode get(String name) {
        return client.resources(TwillNode.class).withName(name).get();
    }

    void delete(String name) {
        client.resources(TwillNode.class).withName(name).delete();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
