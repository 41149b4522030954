package io.twill.deploy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The Fabric8 mock API server in CRUD mode that records every request with the User-Agent of the client that sent
 * it, so one server can host the code under test and the test's own fixture writes and tell them apart. It can also
 * refuse one matching request with an HTTP error, to drive the code down its retry paths.
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
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient probe = server.createClient();
        base = probe.getConfiguration();
        probe.close();
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
