package io.twill.netlink.internal;

import io.twill.types.Errno;
import io.twill.netlink.NetlinkException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import static io.twill.netlink.internal.Rtnl.*;
import static io.twill.netlink.internal.Structs.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One AF_NETLINK socket: request/ack, single-reply gets and multi-part dumps with sequence numbers, extended acks
 * (the kernel's own error text) and dump-interrupted retries. Thread-safe: each exchange holds a lock from send to
 * the last reply. Buffers are borrowed per exchange from a small pool, so a socket costs only its file
 * descriptor; {@link #close()} is idempotent.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetlinkSocket.class);
    private static final int TX_SIZE = 8 * 1024, RX_SIZE = 64 * 1024, POOL_MAX = 16;
    private static final int RECV_TIMEOUT_SECONDS = 10;
    private static final ConcurrentLinkedDeque<Scratch> POOL = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    /** Writes the fixed struct and attributes of a request after its header. */
    @FunctionalInterface
    public interface Body {
        void write(MsgWriter w);
    }

    /** Receives one reply message: its type and the payload range {@code [start, end)} in {@code buf}. */
    @FunctionalInterface
    public interface Handler {
        void onMessage(MemorySegment buf, int type, long start, long end);
    }

    private enum Mode { ACK, GET, DUMP }

    private final ReentrantLock lock = new ReentrantLock();
    private final String where;
    private final int portId;
    private int fd;
    private int seq;

    private NetlinkSocket(int fd, int portId, String where) {
        this.fd = fd;
        this.portId = portId;
        this.where = where;
        this.seq = (int) (System.nanoTime() & 0x3fffffff);
    }

    /** Opens and binds a NETLINK_ROUTE socket in the calling thread's network namespace. */
    public static NetlinkSocket openRoute(String where) {
        Scratch s = borrow();
        int fd = -1;
        try {
            fd = LibC.socket(s.errno, LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
            if (fd < 0) throw sysError("socket", "AF_NETLINK/NETLINK_ROUTE", s);
            s.addr.set(JAVA_INT, 0, 1);
            for (int opt : new int[]{LibC.NETLINK_EXT_ACK, LibC.NETLINK_CAP_ACK, LibC.NETLINK_GET_STRICT_CHK}) {
                if (LibC.setsockopt(s.errno, fd, LibC.SOL_NETLINK, opt, s.addr, 4) != 0) {
                    throw sysError("setsockopt", "SOL_NETLINK " + opt, s);
                }
            }
            s.addr.set(JAVA_LONG, 0, RECV_TIMEOUT_SECONDS);
            s.addr.set(JAVA_LONG, 8, 0);
            if (LibC.setsockopt(s.errno, fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, s.addr, 16) != 0) {
                throw sysError("setsockopt", "SO_RCVTIMEO", s);
            }
            s.addr.asSlice(0, sockaddr_nl.byteSize()).fill((byte) 0);
            s.addr.set(JAVA_SHORT, NL_FAMILY, (short) LibC.AF_NETLINK);
            if (LibC.bind(s.errno, fd, s.addr, (int) sockaddr_nl.byteSize()) != 0) throw sysError("bind", "netlink", s);
            s.addr.set(JAVA_INT, 64, (int) sockaddr_nl.byteSize());
            if (LibC.getsockname(s.errno, fd, s.addr, s.addr.asSlice(64, 4)) != 0) {
                throw sysError("getsockname", "netlink", s);
            }
            int port = s.addr.get(JAVA_INT, NL_PID);
            NetlinkSocket sock = new NetlinkSocket(fd, port, where);
            fd = -1;
            return sock;
        } finally {
            if (fd >= 0) LibC.close(s.errno, fd);
            release(s);
        }
    }

    private static NetlinkException sysError(String op, String object, Scratch s) {
        return new NetlinkException(op, object, LibC.errno(s.errno), null);
    }

    public int portId() { return portId; }

    /** Where the socket was opened, for messages: "netns /run/netns/x" or "the agent's netns". */
    public String where() { return where; }

    /** Sends a request with NLM_F_ACK and waits for the kernel's ack; data replies (NLM_F_ECHO) go to {@code h}. */
    public void ack(int type, int flags, String object, Body body, Handler h) {
        exchange(type, flags | NLM_F_ACK, object, body, h, Mode.ACK);
    }

    public void ack(int type, int flags, String object, Body body) {
        exchange(type, flags | NLM_F_ACK, object, body, null, Mode.ACK);
    }

    /** Sends a request that the kernel answers with one message (or an error). */
    public void get(int type, int flags, String object, Body body, Handler h) {
        exchange(type, flags, object, body, h, Mode.GET);
    }

    /** Sends a dump request and hands every message up to NLMSG_DONE to {@code h}. Retries interrupted dumps. */
    public void dump(int type, String object, Body body, Handler h) {
        exchange(type, NLM_F_DUMP, object, body, h, Mode.DUMP);
    }

    private void exchange(int type, int flags, String object, Body body, Handler h, Mode mode) {
        lock.lock();
        Scratch s = borrow();
        try {
            if (fd < 0) throw new IllegalStateException("netlink socket (" + where + ") is closed");
            for (int attempt = 1; ; attempt++) {
                int mySeq = nextSeq();
                s.writer.begin(type, flags | NLM_F_REQUEST, mySeq);
                body.write(s.writer);
                long len = s.writer.finish();
                send(s, len, type, object);
                if (!receive(s, mySeq, type, object, h, mode)) return;
                if (attempt == 5) {
                    throw new NetlinkException(typeName(type), object, Errno.EINTR,
                            "dump was interrupted by concurrent changes 5 times in a row");
                }
                log.debug("{} dump interrupted by concurrent changes, retrying", typeName(type));
            }
        } finally {
            release(s);
            lock.unlock();
        }
    }

    private int nextSeq() {
        seq = (seq + 1) & 0x7fffffff;
        if (seq == 0) seq = 1;
        return seq;
    }

    private void send(Scratch s, long len, int type, String object) {
        while (true) {
            long n = LibC.send(s.errno, fd, s.tx, len, 0);
            if (n == len) return;
            int e = n < 0 ? LibC.errno(s.errno) : Errno.EMSGSIZE;
            if (e == Errno.EINTR) continue;
            throw new NetlinkException(typeName(type), object, e, "send on netlink socket failed");
        }
    }

    /** Reads replies to {@code mySeq}; returns true when a dump was interrupted and must be repeated. */
    private boolean receive(Scratch s, int mySeq, int type, String object, Handler h, Mode mode) {
        boolean interrupted = false;
        while (true) {
            long n = LibC.recv(s.errno, fd, s.rx, RX_SIZE, LibC.MSG_TRUNC);
            if (n < 0) {
                int e = LibC.errno(s.errno);
                if (e == Errno.EINTR) continue;
                String why = e == Errno.EAGAIN ? "no answer from the kernel within " + RECV_TIMEOUT_SECONDS + " s"
                        : "recv on netlink socket failed";
                throw new NetlinkException(typeName(type), object, e, why);
            }
            if (n > RX_SIZE) {
                throw new NetlinkException(typeName(type), object, Errno.EMSGSIZE,
                        "reply of " + n + " bytes does not fit the " + RX_SIZE + "-byte buffer");
            }
            long p = 0;
            while (p + NLMSG_HDRLEN <= n) {
                int mlen = s.rx.get(JAVA_INT, p + NLMSG_LEN);
                int mtype = Short.toUnsignedInt(s.rx.get(JAVA_SHORT, p + NLMSG_TYPE));
                int mflags = Short.toUnsignedInt(s.rx.get(JAVA_SHORT, p + NLMSG_FLAGS));
                int mseq = s.rx.get(JAVA_INT, p + NLMSG_SEQ);
                if (mlen < NLMSG_HDRLEN || p + mlen > n) {
                    throw new NetlinkException(typeName(type), object, Errno.EPROTO,
                            "malformed reply: message length " + mlen + " at offset " + p + " of " + n);
                }
                long next = p + align(mlen);
                if (mseq != mySeq) {
                    log.debug("dropping stale netlink message type {} seq {} (waiting for {})", mtype, mseq, mySeq);
                    p = next;
                    continue;
                }
                if (mtype == NLMSG_ERROR) {
                    int err = s.rx.get(JAVA_INT, p + NLMSG_HDRLEN + ERR_ERROR);
                    if (err == 0) return false;
                    throw kernelError(s, p, mlen, mflags, -err, type, object);
                }
                if (mtype == NLMSG_DONE) {
                    int err = mlen >= NLMSG_HDRLEN + 4 ? s.rx.get(JAVA_INT, p + NLMSG_HDRLEN) : 0;
                    if (err < 0) throw kernelError(s, p, mlen, mflags, -err, type, object);
                    return interrupted;
                }
                if (mtype == NLMSG_NOOP || mtype == NLMSG_OVERRUN) {
                    p = next;
                    continue;
                }
                if ((mflags & NLM_F_DUMP_INTR) != 0) interrupted = true;
                if (h != null && !interrupted) h.onMessage(s.rx, mtype, p + NLMSG_HDRLEN, p + mlen);
                if (mode == Mode.GET) return false;
                p = next;
            }
        }
    }

    /** Builds the exception for an NLMSG_ERROR/NLMSG_DONE carrying an error, with the extended ack text. */
    private static NetlinkException kernelError(Scratch s, long p, int mlen, int mflags, int errno, int type, String object) {
        String detail = null;
        if ((mflags & NLM_F_ACK_TLVS) != 0) {
            long tlvStart;
            if (s.rx.get(JAVA_SHORT, p + NLMSG_TYPE) == NLMSG_DONE) {
                tlvStart = p + NLMSG_HDRLEN + 4;
            } else {
                int origLen = s.rx.get(JAVA_INT, p + NLMSG_HDRLEN + ERR_MSG + NLMSG_LEN);
                long payload = (mflags & NLM_F_CAPPED) != 0 ? NLMSG_HDRLEN : align(origLen);
                tlvStart = p + NLMSG_HDRLEN + ERR_MSG + payload;
            }
            Attrs tlv = Attrs.parse(s.rx, tlvStart, p + mlen, NLMSGERR_ATTR_COOKIE);
            String msg = tlv.string(NLMSGERR_ATTR_MSG);
            int offs = tlv.u32(NLMSGERR_ATTR_OFFS, -1);
            if (msg != null && !msg.isEmpty()) detail = msg;
            if (offs > 0) {
                String at = "bad attribute at offset " + offs + " of the request";
                if (offs + NLA_HDRLEN <= s.tx.byteSize()) {
                    at += " (type " + (s.tx.get(JAVA_SHORT, offs + NLA_TYPE) & NLA_TYPE_MASK & 0xffff) + ")";
                }
                detail = detail == null ? at : detail + "; " + at;
            }
        }
        if (errno == Errno.EPERM || errno == Errno.EACCES) {
            String hint = "needs CAP_NET_ADMIN in the socket's network namespace";
            detail = detail == null ? hint : detail + "; " + hint;
        }
        return new NetlinkException(typeName(type), object, errno, detail);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (fd < 0) return;
            Scratch s = borrow();
            try {
                LibC.close(s.errno, fd);
            } finally {
                release(s);
            }
            fd = -1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "netlink socket port " + portId + " in " + where + (fd < 0 ? " (closed)" : "");
    }

    /** Native scratch memory for one exchange. Pooled: at most {@value POOL_MAX} are kept between exchanges. */
    private static final class Scratch {
        final MemorySegment tx, rx, errno, addr;
        final MsgWriter writer;

        Scratch() {
            Arena arena = Arena.ofAuto();
            tx = arena.allocate(TX_SIZE, 8);
            rx = arena.allocate(RX_SIZE, 8);
            errno = LibC.errnoSegment(arena);
            addr = arena.allocate(128, 8);
            writer = new MsgWriter(tx);
        }
    }

    private static Scratch borrow() {
        Scratch s = POOL.pollFirst();
        if (s == null) return new Scratch();
        POOLED.decrementAndGet();
        return s;
    }

    private static void release(Scratch s) {
        if (POOLED.incrementAndGet() <= POOL_MAX) {
            POOL.offerFirst(s);
        } else {
            POOLED.decrementAndGet();
        }
    }
}
