package io.twill.cni.server;

import io.twill.cni.CniResponse;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;

/**
 * The shim's side of the protocol in Java, for tests, benchmarks and tools (twill-cni itself is C): sends one
 * invocation to a {@link CniServer} and returns its answer.
 */
public final class CniClient {
    private CniClient() {}

    public static CniResponse call(Path socket, Map<String, String> env, byte[] stdin) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer b = ByteBuffer.wrap(Frames.encodeRequest(env, stdin));
            while (b.hasRemaining()) ch.write(b);
            return Frames.readResponse(ch);
        }
    }
}
