package io.twill.deploy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.twill.mockapi.MockApiServer;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The mock API server (the local cluster's, with its indexed CRUD store and watches that close off its event loop)
 * recording every request with the User-Agent of the client that sent it, so one server can host the code under test
 * and the test's own fixture writes and tell them apart. It can also refuse one matching request with an HTTP error,
 * to drive the code down its retry paths. Both are a {@link MockApiServer.RequestHook}.
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
    private final MockApiServer server;
    private final Config base;

    RecordingApiServer() {
        server = MockApiServer.start(InetAddress.getLoopbackAddress(), 0, false, false, this::intercept);
        try (KubernetesClient probe = server.client()) {
            base = probe.getConfiguration();
        }
    }

    /** Records the request; answers it with an injected error when a fault matches, else lets the store serve it. */
    private MockResponse intercept(RecordedRequest request) {
        String ua = request.getHeader("User-Agent");
        synchronized (seen) {
            seen.add(new Seen(ua == null ? "" : ua, request.getMethod(), request.getPath()));
        }
        synchronized (faults) {
            for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
                Fault f = it.next();
                if (f.match().test(request)) {
                    it.remove();
                    return new MockResponse().setResponseCode(f.code()).setBody("{\"kind\":\"Status\",\"apiVersion\":"
                            + "\"v1\",\"status\":\"Failure\",\"message\":\"injected by the test\",\"code\":" + f.code() + "}");
                }
            }
        }
        return null;
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
        server.close();
    }
}
