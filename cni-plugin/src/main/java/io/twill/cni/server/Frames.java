package io.twill.cni.server;

import io.twill.cni.CniInvocation;
import io.twill.cni.CniResponse;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The twill-cni ↔ agent wire format, version 1 (see cni-plugin/PROTOCOL.md). All integers big-endian.
 * <pre>
 * request:  "TWCQ" u16 version u16 flags u32 envLen u32 stdinLen | env: NUL-terminated "KEY=VALUE"... | stdin
 * response: "TWCR" u16 version u16 flags u32 exitCode u32 stdoutLen | stdout
 * </pre>
 */
public final class Frames {
    public static final int VERSION = 1;
    public static final int HEADER_LEN = 16;
    /** Limits the shim enforces too; a larger frame is refused before anything is allocated. */
    public static final int MAX_ENV = 64 << 10;
    public static final int MAX_STDIN = 1 << 20;
    public static final int MAX_STDOUT = 1 << 20;
    private static final byte[] REQUEST_MAGIC = {'T', 'W', 'C', 'Q'};
    private static final byte[] RESPONSE_MAGIC = {'T', 'W', 'C', 'R'};

    private Frames() {}

    /** The parsed request header; {@link #version} other than 1 is reported by the caller, not here. */
    public record Header(int version, int envLength, int stdinLength) {}

    public static Header parseRequestHeader(ByteBuffer h) {
        if (h.remaining() < HEADER_LEN) throw new FrameException("request header truncated: " + h.remaining() + " of " + HEADER_LEN + " bytes");
        byte[] magic = new byte[4];
        h.get(magic);
        if (!java.util.Arrays.equals(magic, REQUEST_MAGIC)) {
            throw new FrameException("bad magic " + printable(magic) + " (expected TWCQ: is this a twill-cni request?)");
        }
        int version = Short.toUnsignedInt(h.getShort());
        h.getShort(); // flags, none defined in version 1
        long env = Integer.toUnsignedLong(h.getInt());
        long stdin = Integer.toUnsignedLong(h.getInt());
        if (env > MAX_ENV) throw new FrameException("environment block of " + env + " bytes exceeds " + MAX_ENV);
        if (stdin > MAX_STDIN) throw new FrameException("stdin of " + stdin + " bytes exceeds " + MAX_STDIN);
        return new Header(version, (int) env, (int) stdin);
    }

    /** Reads one version-1 request; FrameException for anything malformed, EOFException if the peer stops early. */
    public static CniInvocation readRequest(ReadableByteChannel ch, boolean queued) throws IOException {
        ByteBuffer h = readFully(ch, HEADER_LEN);
        Header header = parseRequestHeader(h);
        if (header.version() != VERSION) {
            throw new FrameException("protocol version " + header.version() + " not supported (this agent speaks " + VERSION + ")");
        }
        ByteBuffer body = readFully(ch, header.envLength() + header.stdinLength());
        return decodeBody(body, header, queued);
    }

    /** Decodes a whole request held in memory (a deletion-queue file). */
    public static CniInvocation decodeRequest(byte[] frame, boolean queued) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        Header header = parseRequestHeader(b);
        if (header.version() != VERSION) {
            throw new FrameException("protocol version " + header.version() + " not supported (this agent speaks " + VERSION + ")");
        }
        if (b.remaining() != header.envLength() + header.stdinLength()) {
            throw new FrameException("frame holds " + b.remaining() + " bytes after the header, header says "
                    + (header.envLength() + header.stdinLength()));
        }
        return decodeBody(b, header, queued);
    }

    private static CniInvocation decodeBody(ByteBuffer body, Header header, boolean queued) {
        byte[] env = new byte[header.envLength()];
        body.get(env);
        byte[] stdin = new byte[header.stdinLength()];
        body.get(stdin);
        return new CniInvocation(parseEnv(env), stdin, queued);
    }

    static Map<String, String> parseEnv(byte[] block) {
        Map<String, String> env = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i < block.length; i++) {
            if (block[i] != 0) continue;
            String entry = new String(block, start, i - start, StandardCharsets.UTF_8);
            int eq = entry.indexOf('=');
            if (eq <= 0) throw new FrameException("environment entry \"" + entry + "\" is not KEY=VALUE");
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
            start = i + 1;
        }
        if (start != block.length) throw new FrameException("environment block does not end with NUL");
        return env;
    }

    public static byte[] encodeRequest(Map<String, String> env, byte[] stdin) {
        var envBytes = new java.io.ByteArrayOutputStream();
        for (var e : env.entrySet()) {
            byte[] kv = (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8);
            envBytes.writeBytes(kv);
            envBytes.write(0);
        }
        byte[] envBlock = envBytes.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(HEADER_LEN + envBlock.length + stdin.length);
        b.put(REQUEST_MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(envBlock.length).putInt(stdin.length);
        b.put(envBlock).put(stdin);
        return b.array();
    }

    public static byte[] encodeResponse(CniResponse response) {
        byte[] out = response.stdout();
        if (out.length > MAX_STDOUT) throw new FrameException("answer of " + out.length + " bytes exceeds " + MAX_STDOUT);
        ByteBuffer b = ByteBuffer.allocate(HEADER_LEN + out.length);
        b.put(RESPONSE_MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(response.exitCode()).putInt(out.length);
        b.put(out);
        return b.array();
    }

    public static void writeResponse(WritableByteChannel ch, CniResponse response) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(encodeResponse(response));
        while (b.hasRemaining()) ch.write(b);
    }

    /** Reads a response (for clients and tests). */
    public static CniResponse readResponse(ReadableByteChannel ch) throws IOException {
        ByteBuffer h = readFully(ch, HEADER_LEN);
        byte[] magic = new byte[4];
        h.get(magic);
        if (!java.util.Arrays.equals(magic, RESPONSE_MAGIC)) throw new FrameException("bad response magic " + printable(magic));
        int version = Short.toUnsignedInt(h.getShort());
        if (version != VERSION) throw new FrameException("response protocol version " + version);
        h.getShort();
        long exit = Integer.toUnsignedLong(h.getInt());
        long len = Integer.toUnsignedLong(h.getInt());
        if (exit > 255 || len > MAX_STDOUT) throw new FrameException("bad response header: exit " + exit + ", length " + len);
        ByteBuffer body = readFully(ch, (int) len);
        return new CniResponse((int) exit, body.array());
    }

    static ByteBuffer readFully(ReadableByteChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new EOFException("connection closed after " + b.position() + " of " + n + " bytes");
        }
        return b.flip();
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(x >= 0x20 && x < 0x7f ? String.valueOf((char) x) : String.format("\\x%02x", x & 0xff));
        return sb.toString();
    }
}
