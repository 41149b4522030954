package io.twill.netlink.internal;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.twill.netlink.internal.Rtnl.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request encoder against the parser, without a kernel: lengths, alignment, padding, nesting, byte order. */
class MsgWriterTest {
    @Test
    void nestedVethRequestRoundTrips() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1024);
            buf.fill((byte) 0x5a); // garbage left by an earlier request must not leak into padding
            MsgWriter w = new MsgWriter(buf);
            w.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 77);
            w.ifinfomsg(0, 0, IFF_UP, IFF_UP).string(IFLA_IFNAME, "lxc1");
            long info = w.nest(IFLA_LINKINFO);
            w.string(IFLA_INFO_KIND, "veth");
            long data = w.nest(IFLA_INFO_DATA);
            long peer = w.nest(VETH_INFO_PEER);
            w.ifinfomsg(0, 0, 0, 0).string(IFLA_IFNAME, "eth0").u32(IFLA_NET_NS_FD, 9).u16be(IFLA_VXLAN_PORT, 8472);
            w.end(peer).end(data).end(info);
            long len = w.finish();

            assertThat(len % 4).isZero();
            assertThat(buf.get(JAVA_INT, 0)).isEqualTo((int) len);
            assertThat(buf.get(JAVA_SHORT, 4)).isEqualTo((short) RTM_NEWLINK);
            assertThat(buf.get(JAVA_INT, 8)).isEqualTo(77);
            long body = Structs.NLMSG_HDRLEN + Structs.ifinfomsg.byteSize();
            assertThat(buf.get(JAVA_INT, Structs.NLMSG_HDRLEN + Structs.IFI_FLAGS)).isEqualTo(IFF_UP);
            // "lxc1\0" is 5 bytes: attribute length 9, padded to 12 with zeros
            assertThat(buf.get(JAVA_SHORT, body)).isEqualTo((short) 9);
            assertThat(buf.get(JAVA_BYTE, body + 9)).isZero();
            assertThat(buf.get(JAVA_BYTE, body + 11)).isZero();

            Attrs top = Attrs.parse(buf, body, len, IFLA_LINKINFO);
            assertThat(top.string(IFLA_IFNAME)).isEqualTo("lxc1");
            Attrs li = top.nested(IFLA_LINKINFO, IFLA_INFO_DATA);
            assertThat(li.string(IFLA_INFO_KIND)).isEqualTo("veth");
            Attrs d = li.nested(IFLA_INFO_DATA, VETH_INFO_PEER);
            long peerStart = d.offset(VETH_INFO_PEER);
            Attrs p = Attrs.parse(buf, peerStart + Structs.ifinfomsg.byteSize(), peerStart + d.length(VETH_INFO_PEER), 30);
            assertThat(p.string(IFLA_IFNAME)).isEqualTo("eth0");
            assertThat(p.u32(IFLA_NET_NS_FD, -1)).isEqualTo(9);
            assertThat(p.u16be(IFLA_VXLAN_PORT, -1)).isEqualTo(8472);
            assertThat(buf.get(JAVA_BYTE, p.offset(IFLA_VXLAN_PORT))).as("big-endian").isEqualTo((byte) (8472 >> 8));
            // the outermost nest ends exactly at the end of the message
            assertThat(top.offset(IFLA_LINKINFO) - Structs.NLA_HDRLEN + top.length(IFLA_LINKINFO) + Structs.NLA_HDRLEN)
                    .isEqualTo(len);
        }
    }

    @Test
    void parserStopsAtTruncatedAttributesAndIgnoresUnknownTypes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            buf.set(JAVA_SHORT, 0, (short) 8);
            buf.set(JAVA_SHORT, 2, (short) 99);
            buf.set(JAVA_INT, 4, 1);
            buf.set(JAVA_SHORT, 8, (short) 8);
            buf.set(JAVA_SHORT, 10, (short) (IFLA_MTU | NLA_F_NESTED));
            buf.set(JAVA_INT, 12, 1500);
            buf.set(JAVA_SHORT, 16, (short) 40); // claims more than there is
            buf.set(JAVA_SHORT, 18, (short) IFLA_IFNAME);
            Attrs a = Attrs.parse(buf, 0, 24, 10);
            assertThat(a.u32(IFLA_MTU, 0)).isEqualTo(1500);
            assertThat(a.has(IFLA_IFNAME)).isFalse();
            assertThat(a.has(99)).isFalse();
            assertThat(a.u32(IFLA_LINK, -1)).isEqualTo(-1);
        }
    }

    @Test
    void overflowIsAnErrorNotACorruption() {
        try (Arena arena = Arena.ofConfined()) {
            MsgWriter w = new MsgWriter(arena.allocate(32));
            w.begin(RTM_NEWLINK, 0, 1);
            assertThatThrownBy(() -> w.string(IFLA_IFNAME, "a-rather-long-interface-name"))
                    .hasMessageContaining("larger than 32 bytes");
        }
    }
}
