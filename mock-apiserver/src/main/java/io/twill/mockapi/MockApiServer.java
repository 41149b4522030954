package io.twill.mockapi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.twill.api.TwillNodeCrd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The Fabric8 mock Kubernetes API server in CRUD mode, as a process of its own (for the network-namespace cluster,
 * multi-process tests and benchmarks) or in-process. It stores whatever is created, serves GET/LIST/WATCH/PATCH/PUT/
 * DELETE over plain HTTP, has no authentication, no schema validation and no discovery (kubectl get does not work;
 * {@code kubectl get --raw} does). It starts with the TwillNode CRD registered so the status subresource behaves as
 * on a real API server, and counts requests by method. A {@link RequestHook} lets a test see every request first
 * and answer some itself (an injected error). Test and local-cluster code only: no image ships it.
 *
 * <pre>
 * java --sun-misc-unsafe-memory-access=allow -cp 'mock-apiserver/target/*:mock-apiserver/target/lib/*' \
 *     io.twill.mockapi.MockApiServer --address 10.99.0.1 --port 6443 --kubeconfig /run/twill/kubeconfig
 * </pre>
 * Prints {@code READY <url>} on stdout once it listens and the kubeconfig is written; stops on SIGTERM/SIGINT or
 * when stdin reaches end-of-file (so it dies with the process that started it), unless {@code --ignore-stdin}.
 */
public final class MockApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MockApiServer.class);
    /** The mock server logs every request at INFO through java.util.logging; a strong reference keeps the level. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private final KubernetesMockServer server;
    private final IndexedCrudDispatcher dispatcher;
    private final InetAddress address;

    /** Sees every request before the store does; a non-null answer is sent instead of the store's. */
    @FunctionalInterface
    public interface RequestHook {
        /** The response to send, or null to serve the request normally. */
        MockResponse intercept(RecordedRequest request);
    }

    private MockApiServer(KubernetesMockServer server, IndexedCrudDispatcher dispatcher, InetAddress address) {
        this.server = server;
        this.dispatcher = dispatcher;
        this.address = address;
    }

    /**
     * Starts a server on {@code address:port} (port 0 = any free port).
     *
     * @param registerCrds create the TwillNode CRD in it first
     * @param verbose      keep the mock's per-request INFO log
     */
    public static MockApiServer start(InetAddress address, int port, boolean registerCrds, boolean verbose) {
        return start(address, port, registerCrds, verbose, null);
    }

    /** Same, with {@code hook} (may be null) seeing every request first. */
    public static MockApiServer start(InetAddress address, int port, boolean registerCrds, boolean verbose,
                                      RequestHook hook) {
        MOCK_LOG.setLevel(verbose ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
        IndexedCrudDispatcher dispatcher = new IndexedCrudDispatcher(hook);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, false);
        server.init(address, port);
        MockApiServer s = new MockApiServer(server, dispatcher, address);
        if (registerCrds) {
            try (KubernetesClient c = s.client()) {
                c.apiextensions().v1().customResourceDefinitions().resource(TwillNodeCrd.load(c)).create();
            }
        }
        log.info("Mock Kubernetes API server listening on {}", s.url());
        return s;
    }

    public int port() {
        return server.getPort();
    }

    public String url() {
        String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        return "http://" + host + ":" + port();
    }

    /** A new client for this server (caller closes it). */
    public KubernetesClient client() {
        return server.createClient();
    }

    /** Requests served so far, by HTTP method (watch upgrades count as GET). */
    public Map<String, Long> requestsByMethod() {
        return dispatcher.requestsByMethod();
    }

    public long requests() {
        return dispatcher.requestsByMethod().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Writes a kubeconfig (cluster, context and token user, all named twill-mock) atomically. */
    public void writeKubeconfig(Path file) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: twill-mock
                  cluster:
                    server: %s
                contexts:
                - name: twill-mock
                  context:
                    cluster: twill-mock
                    user: twill-mock
                    namespace: default
                current-context: twill-mock
                users:
                - name: twill-mock
                  user:
                    token: twill-mock
                """.formatted(url());
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".kubeconfig", ".tmp");
            Files.writeString(tmp, yaml);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing kubeconfig " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.destroy();
    }

    public static void main(String[] args) throws InterruptedException {
        String address = "127.0.0.1";
        int port = 0;
        Path kubeconfig = Path.of("kubeconfig");
        boolean watchStdin = true;
        boolean crds = true;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--address" -> address = value(args, ++i, a);
                case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                case "--kubeconfig" -> kubeconfig = Path.of(value(args, ++i, a));
                case "--ignore-stdin" -> watchStdin = false;
                case "--no-crds" -> crds = false;
                case "--verbose" -> verbose = true;
                case "--help", "-h" -> {
                    System.out.println("usage: MockApiServer [--address IP (127.0.0.1)] [--port N (0 = any)] "
                            + "[--kubeconfig FILE (./kubeconfig)] [--ignore-stdin] [--no-crds] [--verbose]");
                    return;
                }
                default -> {
                    System.err.println("MockApiServer: unknown argument " + a + " (try --help)");
                    System.exit(2);
                }
            }
        }
        MockApiServer server;
        try {
            server = start(InetAddress.getByName(address), port, crds, verbose);
            server.writeKubeconfig(kubeconfig);
        } catch (IOException | RuntimeException e) {
            System.err.println("MockApiServer: cannot start on " + address + ":" + port + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        MockApiServer s = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Stopping mock API server on {} after {} requests {}", s.url(), s.requests(), s.requestsByMethod());
            s.close();
        }, "mock-api-server-shutdown"));
        System.out.println("READY " + server.url() + " " + kubeconfig.toAbsolutePath());
        System.out.flush();
        if (watchStdin) {
            try (InputStream in = System.in) {
                byte[] buf = new byte[256];
                while (in.read(buf) >= 0) {
                    // discard; EOF means the parent went away
                }
            } catch (IOException e) {
                log.warn("stdin: {}", e.getMessage());
            }
            System.exit(0);
        } else {
            Thread.currentThread().join();
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            System.err.println("MockApiServer: " + flag + " needs a value");
            System.exit(2);
        }
        return args[i];
    }
}
