package io.twill.datapath;

import io.twill.types.MacAddress;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Crafts and inspects Ethernet frames for {@code bpf_prog_test_run} (PKTGEN and CHECK). */
final class Packets {
    static final int ETH_P_IP = 0x0800, ETH_P_ARP = 0x0806, ETH_P_IPV6 = 0x86DD;
    static final int TC_ACT_OK = 0, TC_ACT_SHOT = 2, TC_ACT_REDIRECT = 7;

    private Packets() {}

    /** Ethernet + IPv4 (no options) + a UDP header and {@code payload} bytes of zeros. */
    static byte[] udp(MacAddress src, MacAddress dst, Inet4Address saddr, Inet4Address daddr, int ttl, int sport,
                      int dport, int payload) {
        int ipLen = 20 + 8 + payload;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen).order(ByteOrder.BIG_ENDIAN);
        b.put(dst.bytes()).put(src.bytes()).putShort((short) ETH_P_IP);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) ttl).put((byte) 17).putShort((short) 0).put(saddr.getAddress()).put(daddr.getAddress());
        b.putShort(14 + 10, (short) ipChecksum(b.array(), 14, 20));
        b.position(14 + 20);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload)).putShort((short) 0);
        return b.array();
    }

    /** An ARP request "who has {@code target}? tell {@code sender}" broadcast from {@code senderMac}. */
    static byte[] arpRequest(MacAddress senderMac, Inet4Address sender, Inet4Address target) {
        return arp(1, senderMac, new MacAddress(0xFFFF_FFFF_FFFFL), senderMac, sender, new MacAddress(0), target);
    }

    static byte[] arp(int op, MacAddress ethSrc, MacAddress ethDst, MacAddress sha, Inet4Address spa, MacAddress tha,
                      Inet4Address tpa) {
        ByteBuffer b = ByteBuffer.allocate(42).order(ByteOrder.BIG_ENDIAN);
        b.put(ethDst.bytes()).put(ethSrc.bytes()).putShort((short) ETH_P_ARP);
        b.putShort((short) 1).putShort((short) ETH_P_IP).put((byte) 6).put((byte) 4).putShort((short) op);
        b.put(sha.bytes()).put(spa.getAddress()).put(tha.bytes()).put(tpa.getAddress());
        return b.array();
    }

    /** A minimal IPv6 frame (header only, no next header content). */
    static byte[] ipv6(MacAddress src, MacAddress dst) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40).order(ByteOrder.BIG_ENDIAN);
        b.put(dst.bytes()).put(src.bytes()).putShort((short) ETH_P_IPV6);
        b.putInt(0x60000000).putShort((short) 0).put((byte) 59).put((byte) 64);
        return b.array();
    }

    static int ipChecksum(byte[] p, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) sum += ((p[off + i] & 0xff) << 8) | (p[off + i + 1] & 0xff);
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }

    static MacAddress ethDst(byte[] p) { return mac(p, 0); }

    static MacAddress ethSrc(byte[] p) { return mac(p, 6); }

    static MacAddress mac(byte[] p, int off) {
        byte[] m = new byte[6];
        System.arraycopy(p, off, m, 0, 6);
        return MacAddress.of(m);
    }

    static int ttl(byte[] p) { return p[14 + 8] & 0xff; }

    /** True when the IPv4 header checksum verifies (sums to zero). */
    static boolean ipChecksumOk(byte[] p) {
        return ipChecksum(p, 14, 20) == 0;
    }

    static int u16(byte[] p, int off) {
        return ((p[off] & 0xff) << 8) | (p[off + 1] & 0xff);
    }

    static byte[] slice(byte[] p, int off, int len) {
        byte[] r = new byte[len];
        System.arraycopy(p, off, r, 0, len);
        return r;
    }
}
