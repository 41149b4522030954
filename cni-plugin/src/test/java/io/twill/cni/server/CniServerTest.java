package io.twill.cni.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.twill.cni.AddRequest;
import io.twill.cni.CniEngine;
import io.twill.cni.CniException;
import io.twill.cni.CniResponse;
import io.twill.cni.DelRequest;
import io.twill.cni.Inv;
import io.twill.cni.NetConfParser;
import io.twill.cni.RecordingBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class CniServerTest {
    @TempDir
    Path tmp;
    private final RecordingBackend backend = new RecordingBackend();
    private final List<CniServer> servers = new ArrayList<>();

    @AfterEach
    void closeServers() {
        servers.forEach(CniServer::close);
    }

    private Path socket() {
        return tmp.resolve("run/twill.sock");
    }

    private CniServer start(CniServerConfig config) {
        CniServer s = CniServer.start(config, new CniEngine(backend));
        servers.add(s);
        return s;
    }

    private CniServer start() {
        return start(CniServerConfig.at(socket()));
    }

    private static CniResponse call(Path socket, Inv inv) throws IOException {
        return CniClient.call(socket, inv.envMap(), inv.stdinText().getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(CniResponse r) throws IOException {
        return NetConfParser.MAPPER.readTree(r.stdout());
    }

    @Test
    void servesOnAPrivateSocketAndRemovesItOnClose() throws Exception {
        CniServer s = start();
        assertThat(Files.getPosixFilePermissions(socket())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(socket().getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.list(socket().getParent())).extracting(p -> p.getFileName().toString()).containsExactly("twill.sock");

        CniResponse r = call(socket(), Inv.valid("ADD", "1.0.0"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(json(r).path("ips").get(0).path("address").asText()).isEqualTo("10.0.1.5/24");
        assertThat(backend.last(AddRequest.class).args().podName()).isEqualTo("web-0");

        s.close();
        assertThat(socket()).doesNotExist();
        s.close(); // idempotent
    }

    @Test
    void replacesAStaleSocket() throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket())); // closing leaves the file behind, like a killed agent
        }
        assertThat(socket()).exists();
        start();
        assertThat(call(socket(), Inv.valid("ADD", "1.0.0")).exitCode()).isZero();
    }

    @Test
    void refusesToStealALiveSocketOrOverwriteAFile() throws Exception {
        start();
        assertThatThrownBy(this::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(socket() + ": another process is serving it");
        assertThat(call(socket(), Inv.valid("ADD", "1.0.0")).exitCode()).isZero();

        Path file = tmp.resolve("notasocket");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> start(CniServerConfig.at(file))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the path exists and is not a socket");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    private CniResponse raw(byte[] frame) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            ch.write(ByteBuffer.wrap(frame));
            return Frames.readResponse(ch);
        }
    }

    @Test
    void malformedFramesGetAClearErrorAndTheServerGoesOn() throws Exception {
        start();
        byte[] good = Frames.encodeRequest(Inv.valid("ADD", "1.0.0").envMap(), Inv.conf("1.0.0", "").getBytes(StandardCharsets.UTF_8));

        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        assertErr(raw(badMagic), "bad magic XWCQ");

        byte[] v2 = good.clone();
        v2[5] = 2;
        assertErr(raw(v2), "protocol version 2 not supported (this agent speaks 1)");

        byte[] huge = ByteBuffer.allocate(16).put("TWCQ".getBytes()).putShort((short) 1).putShort((short) 0)
                .putInt(0).putInt(2 << 20).array();
        assertErr(raw(huge), "stdin of 2097152 bytes exceeds 1048576");

        byte[] noEq = Frames.encodeRequest(java.util.Map.of("CNI_COMMAND", "ADD"), new byte[0]);
        noEq[16 + 5] = 0; // "CNI_C\0MMAND=ADD\0": the first entry has no '='
        assertErr(raw(noEq), "environment entry \"CNI_C\" is not KEY=VALUE");

        assertThat(raw(good).exitCode()).isZero();
    }

    private static void assertErr(CniResponse r, String fragment) throws IOException {
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(json(r).path("code").asInt()).isEqualTo(CniException.IO_FAILURE);
        assertThat(json(r).path("msg").asText()).contains("malformed request from twill-cni").contains(fragment);
    }

    @Test
    void dropsClientsThatStallAndKeepsServing() throws Exception {
        start(CniServerConfig.at(socket()).withIoTimeout(Duration.ofMillis(300)));
        try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            idle.write(ByteBuffer.wrap("TWCQ".getBytes())); // half a header, then nothing
            ByteBuffer b = ByteBuffer.allocate(1);
            long t0 = System.nanoTime();
            assertThat(idle.read(b)).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(call(socket(), Inv.valid("ADD", "1.0.0")).exitCode()).isZero();
    }

    @Test
    void differentContainersRunInParallelSameContainerInOrder() throws Exception {
        start();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch slowStarted = new CountDownLatch(1);
        backend.before = r -> {
            if (r instanceof AddRequest a && a.attachment().containerId().equals("slow")) {
                slowStarted.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Thread addSlow = Thread.ofVirtual().start(() -> callQuietly(Inv.valid("ADD", "1.0.0").env("CNI_CONTAINERID", "slow")));
        assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
        Thread delSlow = Thread.ofVirtual().start(() -> callQuietly(Inv.valid("DEL", "1.0.0").env("CNI_CONTAINERID", "slow")));

        // another container is served while "slow" is stuck
        assertThat(call(socket(), Inv.valid("ADD", "1.0.0").env("CNI_CONTAINERID", "fast")).exitCode()).isZero();
        // the DEL for "slow" waits for its ADD
        Thread.sleep(200);
        assertThat(backend.events).doesNotContain("start DEL:slow");

        release.countDown();
        addSlow.join(10_000);
        delSlow.join(10_000);
        List<String> slow = backend.events.stream().filter(e -> e.endsWith(":slow")).toList();
        assertThat(slow).containsExactly("start ADD:slow", "end ADD:slow", "start DEL:slow", "end DEL:slow");
    }

    private void callQuietly(Inv inv) {
        try {
            call(socket(), inv);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path queueFile(String name, byte[] content) throws IOException {
        Path dir = socket().resolveSibling("delete-queue");
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), content);
    }

    private static byte[] delFrame(String container) {
        Inv del = Inv.of("DEL", Inv.conf("1.0.0", "")).env("CNI_CONTAINERID", container).env("CNI_IFNAME", "eth0");
        return Frames.encodeRequest(del.envMap(), del.stdinText().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void drainsTheDeletionQueueBeforeServing() throws Exception {
        Path a = queueFile("00000000000000000001-10.del", delFrame("first"));
        Path b = queueFile("00000000000000000002-11.del", delFrame("second"));
        Path garbage = queueFile("00000000000000000003-12.del", "not a frame".getBytes());
        Inv add = Inv.valid("ADD", "1.0.0");
        Path notDel = queueFile("00000000000000000004-13.del", Frames.encodeRequest(add.envMap(), add.stdinText().getBytes()));
        Path freshTemp = queueFile(".tmp-14-1", new byte[3]);
        Path oldTemp = queueFile(".tmp-15-1", new byte[3]);
        Files.setLastModifiedTime(oldTemp, FileTime.from(Instant.now().minusSeconds(600)));

        start();

        List<DelRequest> dels = backend.requests.stream().filter(DelRequest.class::isInstance).map(DelRequest.class::cast).toList();
        assertThat(dels).extracting(d -> d.attachment().containerId()).containsExactly("first", "second");
        assertThat(dels).allMatch(DelRequest::queued);
        assertThat(backend.requests).noneMatch(AddRequest.class::isInstance);
        assertThat(a).doesNotExist();
        assertThat(b).doesNotExist();
        assertThat(garbage).doesNotExist();
        assertThat(notDel).doesNotExist();
        assertThat(freshTemp).exists();
        assertThat(oldTemp).doesNotExist();
    }

    @Test
    void keepsQueuedDelsTheBackendWantsRetriedAndRescansPeriodically() throws Exception {
        Path kept = queueFile("00000000000000000001-10.del", delFrame("busy"));
        backend.before = r -> {
            if (r instanceof DelRequest d && d.attachment().containerId().equals("busy")) {
                throw CniException.tryAgainLater("endpoint busy", "");
            }
        };
        start(CniServerConfig.at(socket()).withQueueScanInterval(Duration.ofMillis(100)));
        assertThat(kept).exists();

        backend.before = r -> { };
        Path later = queueFile("00000000000000000002-11.del", delFrame("later"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(kept).doesNotExist();
            assertThat(later).doesNotExist();
        });
        assertThat(backend.events).contains("end DEL:busy", "end DEL:later");
    }
}
