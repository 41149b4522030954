package io.twill.datapath;

import io.twill.types.MacAddress;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * TCP, UDP and ICMP frames with real L4 checksums, and their checks, for translation tests: a rewrite that forgets
 * the pseudo header or a port shows up as a checksum that no longer verifies.
 */
final class L4Packets {
    static final int TCP = 6, UDP = 17, ICMP = 1;
    static final int SYN = 0x02, ACK = 0x10, RST = 0x04;

    private L4Packets() {}

    private static ByteBuffer ipv4(MacAddress src, MacAddress dst, Inet4Address saddr, Inet4Address daddr, int proto, int l4Len) {
        int ipLen = 20 + l4Len;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen).order(ByteOrder.BIG_ENDIAN);
        b.put(dst.bytes()).put(src.bytes()).putShort((short) Packets.ETH_P_IP);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) 64).put((byte) proto).putShort((short) 0).put(saddr.getAddress()).put(daddr.getAddress());
        b.putShort(14 + 10, (short) Packets.ipChecksum(b.array(), 14, 20));
        b.position(14 + 20);
        return b;
    }

    /** A TCP segment with {@code flags}, sequence {@code seq} and {@code payload} bytes of 'x'. */
    static byte[] tcp(MacAddress src, MacAddress dst, Inet4Address saddr, Inet4Address daddr, int sport, int dport,
                      int flags, long seq, int payload) {
        ByteBuffer b = ipv4(src, dst, saddr, daddr, TCP, 20 + payload);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt(0).put((byte) 0x50).put((byte) flags)
                .putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        for (int i = 0; i < payload; i++) b.put((byte) 'x');
        byte[] p = b.array();
        putL4Checksum(p, TCP);
        return p;
    }

    /** A UDP datagram with a real checksum. */
    static byte[] udp(MacAddress src, MacAddress dst, Inet4Address saddr, Inet4Address daddr, int sport, int dport, int payload) {
        ByteBuffer b = ipv4(src, dst, saddr, daddr, UDP, 8 + payload);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload)).putShort((short) 0);
        for (int i = 0; i < payload; i++) b.put((byte) 'u');
        byte[] p = b.array();
        putL4Checksum(p, UDP);
        return p;
    }

    /** An ICMP echo request (type 8) or reply (type 0) with identifier {@code id}. */
    static byte[] echo(MacAddress src, MacAddress dst, Inet4Address saddr, Inet4Address daddr, int type, int id) {
        ByteBuffer b = ipv4(src, dst, saddr, daddr, ICMP, 16);
        b.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) 1).putLong(0x0102030405060708L);
        byte[] p = b.array();
        putL4Checksum(p, ICMP);
        return p;
    }

    static int l4Checksum(byte[] p, int proto) {
        int ipLen = Packets.u16(p, 16), l4Len = ipLen - 20;
        long sum = 0;
        if (proto != ICMP) {
            for (int i = 26; i < 34; i += 2) sum += Packets.u16(p, i);
            sum += proto + l4Len;
        }
        for (int i = 0; i < l4Len; i += 2) {
            int hi = p[34 + i] & 0xff, lo = i + 1 < l4Len ? p[34 + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    private static void putL4Checksum(byte[] p, int proto) {
        int off = 34 + (proto == TCP ? 16 : proto == UDP ? 6 : 2);
        p[off] = 0;
        p[off + 1] = 0;
        int c = l4Checksum(p, proto);
        if (proto == UDP && c == 0) c = 0xffff;
        p[off] = (byte) (c >> 8);
        p[off + 1] = (byte) c;
    }

    /** True when the IPv4 header and the L4 checksum both verify. */
    static boolean checksumsOk(byte[] p) {
        int proto = p[23] & 0xff;
        return Packets.ipChecksumOk(p) && l4Checksum(p, proto) == 0;
    }

    static String saddr(byte[] p) {
        return addr(p, 26);
    }

    static String daddr(byte[] p) {
        return addr(p, 30);
    }

    private static String addr(byte[] p, int off) {
        return (p[off] & 0xff) + "." + (p[off + 1] & 0xff) + "." + (p[off + 2] & 0xff) + "." + (p[off + 3] & 0xff);
    }

    static int sport(byte[] p) {
        return Packets.u16(p, 34);
    }

    static int dport(byte[] p) {
        return Packets.u16(p, 36);
    }

    static int proto(byte[] p) {
        return p[23] & 0xff;
    }

    static int tcpFlags(byte[] p) {
        return p[34 + 13] & 0xff;
    }

    static long tcpAck(byte[] p) {
        return ByteBuffer.wrap(p, 34 + 8, 4).getInt() & 0xffffffffL;
    }

    static int icmpId(byte[] p) {
        return Packets.u16(p, 34 + 4);
    }
}
