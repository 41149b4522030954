package io.twill.datapath;

import io.twill.testkit.TestNamespace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.Inet4Address;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Traffic between test namespaces: ping (iputils) and a TCP echo made of Java sockets opened inside them. */
final class Traffic {
    private Traffic() {}

    /**
     * Opens and closes one loopback connection so the JDK's lazily created, process-lifetime socket state exists
     * before a test's file descriptors are counted (FdLeakExtension).
     */
    static void warmUp() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             Socket c = new Socket(java.net.InetAddress.getLoopbackAddress(), s.getLocalPort());
             Socket a = s.accept()) {
            c.getOutputStream().write(1);
            a.getInputStream().read();
        }
    }

    /** True when {@code to} answers at least one of two pings within a second each. */
    static boolean ping(TestNamespace from, Inet4Address to) {
        return from.tryExec("ping", "-c", "2", "-i", "0.2", "-W", "1", to.getHostAddress()).ok();
    }

    /** True when one ping gets no answer (for drops). */
    static boolean pingFails(TestNamespace from, Inet4Address to) {
        return !from.tryExec("ping", "-c", "1", "-W", "1", to.getHostAddress()).ok();
    }

    /**
     * Opens a TCP server inside {@code serverNs} on {@code addr:port}, connects from {@code clientNs}, sends
     * {@code bytes} random bytes and checks that the same bytes come back. Throws when they do not.
     */
    static void tcpEcho(TestNamespace clientNs, TestNamespace serverNs, Inet4Address addr, int port, int bytes) throws Exception {
        ServerSocket server = serverNs.call(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(addr, port), 1);
            return s;
        });
        try (server) {
            server.setSoTimeout(10_000);
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (Socket c = server.accept(); InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    throw new IllegalStateException("echo server: " + e, e);
                }
            });
            byte[] payload = new byte[bytes];
            new Random(port).nextBytes(payload);
            byte[] back = clientNs.call(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(addr, port), 5_000);
                    s.setSoTimeout(10_000);
                    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                        try {
                            return s.getInputStream().readAllBytes();
                        } catch (IOException e) {
                            throw new IllegalStateException("client read: " + e, e);
                        }
                    });
                    s.getOutputStream().write(payload);
                    s.shutdownOutput();
                    return reader.get(15, TimeUnit.SECONDS);
                }
            });
            echo.get(15, TimeUnit.SECONDS);
            if (!Arrays.equals(payload, back)) {
                throw new AssertionError("TCP echo to " + addr.getHostAddress() + ":" + port + " returned " + back.length
                        + " bytes that differ from the " + bytes + " sent");
            }
        }
    }
}
