package io.twill.e2e;

import io.twill.netlink.NetNs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Real sockets of a pod (or node) of the local cluster, opened from the test JVM: each socket is created on a thread
 * that has entered the pod's network namespace, where it stays, so it is the pod's socket (its traffic leaves through
 * the pod's eth0 and the socket hooks see the pod's namespace), while the test drives it from its own thread.
 */
final class PodSockets {
    private PodSockets() {}

    static Path podNsPath(String pod) {
        return NetNs.named(NetnsCluster.podNs(pod));
    }

    static Path nodeNsPath(String node) {
        return NetNs.named(NetnsCluster.nodeNs(node));
    }

    /** Connects over TCP and reads until the server closes: the server's answer, or an exception naming the failure. */
    static String tcpRequest(Path ns, String ip, int port, Duration timeout) throws IOException {
        try (SocketChannel ch = NetNs.call(ns, SocketChannel::open)) {
            connect(ch, new InetSocketAddress(ip, port), timeout);
            return readAll(ch, timeout).strip();
        }
    }

    /** {@link #tcpRequest}, answering "refused", "timeout" or the exception's text instead of throwing. */
    static String tcpOutcome(Path ns, String ip, int port, Duration timeout) {
        try {
            return tcpRequest(ns, ip, port, timeout);
        } catch (java.net.ConnectException e) {
            return "refused";
        } catch (java.net.SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * Sends one datagram through a CONNECTED UDP socket and waits for the answer: the kernel only passes replies from
     * the address the socket is connected to, as glibc's resolver needs, so a reply from the wrong source is a timeout.
     */
    static String udpRequest(Path ns, String ip, int port, Duration timeout) throws IOException {
        try (DatagramChannel ch = NetNs.call(ns, DatagramChannel::open)) {
            ch.connect(new InetSocketAddress(ip, port));
            ch.configureBlocking(false);
            ch.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
            try (Selector sel = Selector.open()) {
                ch.register(sel, SelectionKey.OP_READ);
                if (sel.select(timeout.toMillis()) == 0) return "timeout";
                ByteBuffer buf = ByteBuffer.allocate(512);
                ch.read(buf);
                return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
            }
        } catch (java.net.PortUnreachableException e) {
            return "unreachable";
        }
    }

    private static void connect(SocketChannel ch, InetSocketAddress to, Duration timeout) throws IOException {
        ch.configureBlocking(false);
        if (!ch.connect(to)) {
            try (Selector sel = Selector.open()) {
                ch.register(sel, SelectionKey.OP_CONNECT);
                if (sel.select(timeout.toMillis()) == 0) throw new java.net.SocketTimeoutException("connect to " + to);
                ch.finishConnect();
            }
        }
        ch.configureBlocking(true);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    private static String readAll(SocketChannel ch, Duration timeout) throws IOException {
        ch.socket().setSoTimeout((int) timeout.toMillis());
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[512];
        var in = ch.socket().getInputStream();
        for (int n; (n = in.read(buf)) > 0; ) sb.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        return sb.toString();
    }

    /** A long-lived TCP connection to a pod's echo server (TCP 7): it names its pod first, then echoes. */
    static final class Echo implements AutoCloseable {
        private final SocketChannel ch;
        private final java.io.BufferedReader in;
        final String backend;

        Echo(Path ns, String ip, int port, Duration timeout) throws IOException {
            ch = NetNs.call(ns, SocketChannel::open);
            try {
                connect(ch, new InetSocketAddress(ip, port), timeout);
                ch.socket().setSoTimeout((int) timeout.toMillis());
                in = new java.io.BufferedReader(new java.io.InputStreamReader(ch.socket().getInputStream(), StandardCharsets.US_ASCII));
                backend = in.readLine();
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        /** Sends a line and returns the echo (an exception when the connection broke). */
        String roundTrip(String line) throws IOException {
            ch.socket().getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            String back = in.readLine();
            if (back == null) throw new IOException("the connection to " + backend + " was closed");
            return back;
        }

        @Override
        public void close() {
            try {
                ch.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
