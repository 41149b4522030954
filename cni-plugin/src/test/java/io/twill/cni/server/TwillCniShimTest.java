package io.twill.cni.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.twill.cni.AddRequest;
import io.twill.cni.CniEngine;
import io.twill.cni.CniException;
import io.twill.cni.DelRequest;
import io.twill.cni.GcRequest;
import io.twill.cni.Inv;
import io.twill.cni.NetConfParser;
import io.twill.cni.RecordingBackend;
import io.twill.testkit.Cmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The real static twill-cni binary against a CniServer with a recording backend, and without one. */
class TwillCniShimTest {
    @TempDir
    Path tmp;
    private final RecordingBackend backend = new RecordingBackend();
    private final List<CniServer> servers = new ArrayList<>();

    @AfterEach
    void close() {
        servers.forEach(CniServer::close);
    }

    private Path socket() {
        return tmp.resolve("run/twill.sock");
    }

    private CniServer startServer() {
        CniServer s = CniServer.start(CniServerConfig.at(socket()), new CniEngine(backend));
        servers.add(s);
        return s;
    }

    private String conf(String version) {
        return conf(version, "");
    }

    private String conf(String version, String extra) {
        return Inv.conf(version, ",\"agentSocket\":\"" + socket() + "\"" + extra);
    }

    /** What kubelet (via containerd) passes: CNI_* plus PATH. */
    private static Map<String, String> kubeletEnv(String command, String container) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", container);
        env.put("CNI_NETNS", Inv.NETNS);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/opt/cni/bin");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=" + container);
        return env;
    }

    private static JsonNode json(Shim.Result r) throws IOException {
        return NetConfParser.MAPPER.readTree(r.stdout());
    }

    @Test
    void isAStaticExecutable() {
        assertThat(Cmd.run("file", "-L", Shim.BINARY.toString()).stdout()).contains("ELF").contains("statically linked");
        Cmd.Result ldd = Cmd.tryRun("ldd", Shim.BINARY.toString());
        assertThat(ldd.stdout() + ldd.stderr()).containsAnyOf("not a dynamic executable", "statically linked");
    }

    @Test
    void answersVersionWithoutAnyAgent() throws Exception {
        Shim.Result r = Shim.run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEqualTo("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
        assertThat(json(Shim.run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.1.0\"}")).path("cniVersion").asText()).isEqualTo("1.1.0");
        assertThat(json(Shim.run(Map.of("CNI_COMMAND", "VERSION"), "")).path("cniVersion").asText()).isEqualTo("1.1.0");
        // as podman's libcni asks: all of it, with dummy values, and the socket nowhere
        Shim.Result podman = Shim.run(Map.of("CNI_COMMAND", "VERSION", "CNI_ARGS", "", "CNI_CONTAINERID", "",
                "CNI_IFNAME", "dummy", "CNI_NETNS", "dummy", "CNI_PATH", "dummy"), "{\"cniVersion\":\"0.4.0\"}");
        assertThat(json(podman).path("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(json(podman).path("supportedVersions")).hasSize(5);
    }

    @Test
    void addGoesThroughTheAgentAndPrintsItsResult() throws Exception {
        startServer();
        Shim.Result r = Shim.run(kubeletEnv("ADD", "pod1"), conf("1.0.0", ",\"capabilities\":{\"portMappings\":true}"));
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode out = json(r);
        assertThat(out.path("cniVersion").asText()).isEqualTo("1.0.0");
        assertThat(out.path("interfaces").get(1).path("sandbox").asText()).isEqualTo(Inv.NETNS);
        assertThat(out.path("ips").get(0).path("address").asText()).isEqualTo("10.0.1.5/24");

        AddRequest req = backend.last(AddRequest.class);
        assertThat(req.attachment().containerId()).isEqualTo("pod1");
        assertThat(req.args().podName()).isEqualTo("web-0");
        assertThat(req.args().infraContainerId()).isEqualTo("pod1");
        assertThat(req.conf().agentSocket()).isEqualTo(socket());
        assertThat(req.conf().capability("portMappings")).isTrue();
    }

    @Test
    void agentErrorsAndExitCodesPassThroughUnchanged() throws Exception {
        startServer();
        Map<String, String> env = kubeletEnv("ADD", "pod1");
        env.put("CNI_IFNAME", "much-too-long-name");
        Shim.Result r = Shim.run(env, conf("0.4.0"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(json(r).path("code").asInt()).isEqualTo(CniException.INVALID_ENVIRONMENT);
        assertThat(json(r).path("msg").asText()).isEqualTo("CNI_IFNAME=much-too-long-name is invalid: it is longer than 15 bytes");
        assertThat(json(r).path("cniVersion").asText()).isEqualTo("0.4.0");

        assertThat(Shim.run(kubeletEnv("ADD", "pod2"), conf("1.0.0")).exit()).isZero();
        Shim.Result again = Shim.run(kubeletEnv("ADD", "pod2"), conf("1.0.0"));
        assertThat(again.exit()).isEqualTo(1);
        assertThat(json(again).path("code").asInt()).isEqualTo(CniException.ALREADY_ATTACHED);
    }

    @Test
    void delWithABareEnvironment() {
        startServer();
        // podman's cleanup process: env -i PATH=/usr/bin plus the CNI_* variables, no netns any more
        Map<String, String> env = Map.of("PATH", "/usr/bin", "CNI_COMMAND", "DEL", "CNI_CONTAINERID", "pod1", "CNI_IFNAME", "eth0");
        Shim.Result r = Shim.run(env, conf("1.0.0"));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEmpty();
        DelRequest d = backend.last(DelRequest.class);
        assertThat(d.netns()).isNull();
        assertThat(d.queued()).isFalse();
    }

    @Test
    void statusAndGcOnA110Network() {
        startServer();
        assertThat(Shim.run(Map.of("CNI_COMMAND", "STATUS"), conf("1.1.0")).exit()).isZero();
        Shim.Result gc = Shim.run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin"),
                conf("1.1.0", ",\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"}]"));
        assertThat(gc.exit()).as(gc.toString()).isZero();
        assertThat(backend.last(GcRequest.class).validAttachments()).hasSize(1);
    }

    @Test
    void agentDownAddTryAgainDelQueuedThenDrained() throws Exception {
        Shim.Result add = Shim.run(kubeletEnv("ADD", "pod1"), conf("1.0.0"));
        assertThat(add.exit()).isEqualTo(1);
        JsonNode err = json(add);
        assertThat(err.path("code").asInt()).isEqualTo(CniException.TRY_AGAIN_LATER);
        assertThat(err.path("msg").asText()).isEqualTo("Twill agent unreachable at " + socket() + ": connect: No such file or directory");
        assertThat(err.path("cniVersion").asText()).isEqualTo("1.0.0");

        Shim.Result del = Shim.run(kubeletEnv("DEL", "pod1"), conf("1.0.0"));
        assertThat(del.exit()).as(del.toString()).isZero();
        assertThat(del.stdout()).isEmpty();
        assertThat(del.stderr()).contains("DEL queued");
        Path queue = socket().resolveSibling("delete-queue");
        try (Stream<Path> files = Files.list(queue)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).singleElement().asString().matches("\\d{20}-\\d+\\.del");
        }

        assertThat(json(Shim.run(Map.of("CNI_COMMAND", "STATUS"), conf("1.1.0"))).path("code").asInt()).isEqualTo(50);
        assertThat(json(Shim.run(kubeletEnv("CHECK", "pod1"), conf("1.0.0"))).path("code").asInt()).isEqualTo(11);
        assertThat(json(Shim.run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/x"), conf("1.1.0"))).path("code").asInt()).isEqualTo(11);

        startServer();
        DelRequest replayed = backend.last(DelRequest.class);
        assertThat(replayed.queued()).isTrue();
        assertThat(replayed.attachment().containerId()).isEqualTo("pod1");
        assertThat(replayed.args().podName()).isEqualTo("web-0");
        try (Stream<Path> files = Files.list(queue)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aStaleSocketIsConnectionRefused() throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket()));
        }
        JsonNode err = json(Shim.run(kubeletEnv("ADD", "pod1"), conf("1.0.0")));
        assertThat(err.path("msg").asText()).endsWith("connect: Connection refused");
    }

    @Test
    void theDeletionQueueIsBounded() throws Exception {
        Path queue = Files.createDirectories(socket().resolveSibling("delete-queue"));
        for (int i = 0; i < 256; i++) Files.write(queue.resolve(String.format("%020d-1.del", i)), new byte[0]);
        Shim.Result del = Shim.run(kubeletEnv("DEL", "pod1"), conf("1.0.0"));
        assertThat(del.exit()).isEqualTo(1);
        assertThat(json(del).path("code").asInt()).isEqualTo(11);
        assertThat(json(del).path("details").asText()).contains("already holds 256 queued DELs (limit 256)");
    }

    @Test
    void parallelForDifferentContainersInOrderForOne() throws Exception {
        startServer();
        int n = 6;
        CountDownLatch allIn = new CountDownLatch(n);
        backend.before = r -> {
            if (r instanceof AddRequest a && a.attachment().containerId().startsWith("par")) {
                allIn.countDown();
                try {
                    // returns only once all n ADDs are inside the backend at the same time
                    if (!allIn.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("ADDs were not concurrent");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        List<Thread> threads = new ArrayList<>();
        List<Shim.Result> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            String id = "par" + i;
            threads.add(Thread.ofPlatform().start(() -> results.add(Shim.run(kubeletEnv("ADD", id), conf("1.0.0")))));
        }
        for (Thread t : threads) t.join(60_000);
        assertThat(results).hasSize(n).allSatisfy(r -> assertThat(r.exit()).as(r.toString()).isZero());

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch addIn = new CountDownLatch(1);
        backend.before = r -> {
            if (r instanceof AddRequest) {
                addIn.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Thread add = Thread.ofPlatform().start(() -> Shim.run(kubeletEnv("ADD", "one"), conf("1.0.0")));
        assertThat(addIn.await(30, TimeUnit.SECONDS)).isTrue();
        Thread del = Thread.ofPlatform().start(() -> Shim.run(kubeletEnv("DEL", "one"), conf("1.0.0")));
        Thread.sleep(300);
        assertThat(backend.events).doesNotContain("start DEL:one");
        release.countDown();
        add.join(30_000);
        del.join(30_000);
        assertThat(backend.events.stream().filter(e -> e.endsWith(":one")).toList())
                .containsExactly("start ADD:one", "end ADD:one", "start DEL:one", "end DEL:one");
    }

    @Test
    void neverBlocksForeverOnASilentAgent() throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(socket()));
            Thread acceptor = Thread.ofVirtual().start(() -> {
                List<SocketChannel> held = new ArrayList<>();
                try {
                    while (true) held.add(silent.accept()); // accept and never answer
                } catch (IOException e) {
                    held.forEach(c -> { try { c.close(); } catch (IOException ignored) { } });
                }
            });
            Shim.Result add = Shim.run(kubeletEnv("ADD", "pod1"), conf("1.0.0", ",\"agentTimeoutSeconds\":1"));
            assertThat(add.exit()).isEqualTo(1);
            assertThat(json(add).path("code").asInt()).isEqualTo(11);
            assertThat(json(add).path("msg").asText()).contains("timed out waiting for the answer");
            assertThat(json(add).path("details").asText()).contains("the request reached the agent but no answer came");
            assertThat(add.elapsed()).isLessThan(Duration.ofSeconds(10));

            Shim.Result del = Shim.run(kubeletEnv("DEL", "pod1"), conf("1.0.0", ",\"agentTimeoutSeconds\":1"));
            assertThat(del.exit()).isZero(); // queued: DEL is idempotent, so a second run later is harmless
            silent.close();
            acceptor.join(5000);
        }
    }

    @Test
    void aGarbledAnswerIsAnErrorNotOutput() throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(socket()));
            Thread t = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = fake.accept()) {
                    c.read(ByteBuffer.allocate(1 << 16));
                    c.write(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes()));
                } catch (IOException ignored) {
                    // test over
                }
            });
            Shim.Result r = Shim.run(kubeletEnv("ADD", "pod1"), conf("1.0.0"));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(json(r).path("code").asInt()).isEqualTo(11);
            assertThat(json(r).path("msg").asText()).contains("malformed answer");
            assertThat(r.stdout()).doesNotContain("HTTP");
            t.join(5000);
        }
    }

    @Test
    void anAnswerSentBeforeTheAgentReadTheWholeRequestIsStillPrinted() throws Exception {
        // e.g. an agent of another protocol version refuses after the header, while a big config is still in flight
        Files.createDirectories(socket().getParent());
        String refusal = "{\"cniVersion\":\"1.0.0\",\"code\":5,\"msg\":\"malformed request from twill-cni: protocol version\"}\n";
        try (ServerSocketChannel early = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            early.bind(UnixDomainSocketAddress.of(socket()));
            Thread t = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = early.accept()) {
                    c.read(ByteBuffer.allocate(16));
                    c.write(ByteBuffer.wrap(Frames.encodeResponse(new io.twill.cni.CniResponse(1, refusal.getBytes()))));
                } catch (IOException ignored) {
                    // test over
                }
            });
            String big = conf("1.0.0", ",\"padding\":\"" + "x".repeat(900_000) + "\"");
            Shim.Result r = Shim.run(kubeletEnv("ADD", "pod1"), big);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.stdout()).isEqualTo(refusal);
            t.join(5000);
        }
    }

    @Test
    void localInputErrors() throws Exception {
        Shim.Result noCmd = Shim.run(Map.of(), conf("1.0.0"));
        assertThat(noCmd.exit()).isEqualTo(1);
        assertThat(json(noCmd).path("code").asInt()).isEqualTo(4);
        assertThat(noCmd.stderr()).contains("CNI protocol versions supported");

        assertThat(json(Shim.run(Map.of("CNI_COMMAND", "BOGUS"), conf("1.0.0"))).path("msg").asText())
                .isEqualTo("CNI_COMMAND=BOGUS is not a CNI command (ADD, DEL, CHECK, STATUS, GC, VERSION)");
        assertThat(json(Shim.run(kubeletEnv("ADD", "p"), Inv.conf("1.0.0", ",\"agentSocket\":\"relative.sock\""))).path("code").asInt())
                .isEqualTo(7);
        assertThat(json(Shim.run(kubeletEnv("ADD", "p"), Inv.conf("1.0.0", ",\"agentSocket\":\"/" + "x".repeat(120) + "\""))).path("code").asInt())
                .isEqualTo(7);
        byte[] huge = new byte[(1 << 20) + 10];
        java.util.Arrays.fill(huge, (byte) ' ');
        Shim.Result big = Shim.run(kubeletEnv("ADD", "p"), huge);
        assertThat(json(big).path("code").asInt()).isEqualTo(5);
        assertThat(json(big).path("msg").asText()).contains("larger than 1 MiB");
    }

    @Test
    void findsTheSocketKeyOnlyAtTopLevelAndTakesTheLastOne() throws Exception {
        startServer();
        String stdin = "{\"cniVersion\":\"1.0.0\",\"name\":\"twillnet\",\"type\":\"twill-cni\","
                + "\"args\":{\"agentSocket\":\"/nope/a.sock\"},\"agentSocket\":\"/nope/b.sock\",\n \"agentSocket\" : \""
                + socket().toString().replace("/", "\\/") + "\"}";
        Shim.Result r = Shim.run(kubeletEnv("ADD", "esc"), stdin);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(backend.last(AddRequest.class).attachment().containerId()).isEqualTo("esc");

        // the key as a value, inside arrays and inside strings with escaped quotes must not fool the scanner
        String tricky = "{\"cniVersion\":\"1.0.0\",\"name\":\"twillnet\",\"type\":\"twill-cni\",\"x\":[\"agentSocket\",\"/nope\"],"
                + "\"y\":\"\\\"agentSocket\\\":\\\"/nope\\\"\",\"z\":[{\"agentSocket\":\"/nope\"},null,true,-1.5e3],"
                + "\"\\u00e9t\\u00e9\":\"\\u2603\",\"agentSocket\":\"" + socket() + "\"}";
        NetConfParser.MAPPER.readTree(tricky); // it is valid JSON
        Shim.Result t = Shim.run(kubeletEnv("ADD", "tricky"), tricky);
        assertThat(t.exit()).as(t.toString()).isZero();
        assertThat(backend.last(AddRequest.class).attachment().containerId()).isEqualTo("tricky");
    }
}
