package io.twill.netlink.internal;

/**
 * Numbers from the kernel's uapi headers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h,
 * linux/neighbour.h, linux/veth.h, linux/if.h), spelled exactly as in C. {@code LayoutsMatchCTest} compiles a C
 * program that prints every field of this class by name and fails on any difference.
 */
public final class Rtnl {
    private Rtnl() {}

    // nlmsghdr.nlmsg_flags
    public static final int NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_ECHO = 0x8,
            NLM_F_DUMP_INTR = 0x10, NLM_F_DUMP_FILTERED = 0x20;
    public static final int NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = 0x300;
    public static final int NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_APPEND = 0x800;
    public static final int NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;

    // message types
    public static final int NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;
    public static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28, RTM_DELNEIGH = 29, RTM_GETNEIGH = 30;

    // extended ack TLVs after struct nlmsgerr
    public static final int NLMSGERR_ATTR_MSG = 1, NLMSGERR_ATTR_OFFS = 2, NLMSGERR_ATTR_COOKIE = 3;

    public static final int NLA_F_NESTED = 1 << 15, NLA_F_NET_BYTEORDER = 1 << 14;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
    public static final int NLMSG_ALIGNTO = 4, NLA_ALIGNTO = 4;

    // links
    public static final int IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5,
            IFLA_MASTER = 10, IFLA_TXQLEN = 13, IFLA_OPERSTATE = 16, IFLA_LINKINFO = 18, IFLA_NET_NS_PID = 19,
            IFLA_IFALIAS = 20, IFLA_NET_NS_FD = 28, IFLA_EXT_MASK = 29, IFLA_LINK_NETNSID = 37,
            IFLA_TARGET_NETNSID = 46, IFLA_MIN_MTU = 50, IFLA_MAX_MTU = 51, IFLA_ALT_IFNAME = 53;
    public static final int IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, IFLA_INFO_SLAVE_KIND = 4;
    public static final int VETH_INFO_PEER = 1;
    public static final int IFLA_VXLAN_ID = 1, IFLA_VXLAN_GROUP = 2, IFLA_VXLAN_LINK = 3, IFLA_VXLAN_LOCAL = 4,
            IFLA_VXLAN_TTL = 5, IFLA_VXLAN_LEARNING = 7, IFLA_VXLAN_PORT = 15, IFLA_VXLAN_UDP_CSUM = 18,
            IFLA_VXLAN_COLLECT_METADATA = 25;
    public static final int RTEXT_FILTER_VF = 1, RTEXT_FILTER_SKIP_STATS = 1 << 3;
    public static final int IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8, IFF_POINTOPOINT = 0x10,
            IFF_RUNNING = 0x40, IFF_NOARP = 0x80, IFF_PROMISC = 0x100, IFF_MULTICAST = 0x1000, IFF_LOWER_UP = 0x10000;

    // addresses
    public static final int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_CACHEINFO = 6,
            IFA_FLAGS = 8;
    public static final int IFA_F_SECONDARY = 0x01, IFA_F_NODAD = 0x02, IFA_F_PERMANENT = 0x80,
            IFA_F_NOPREFIXROUTE = 0x200;

    // routes
    public static final int RTA_DST = 1, RTA_SRC = 2, RTA_IIF = 3, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6,
            RTA_PREFSRC = 7, RTA_METRICS = 8, RTA_MULTIPATH = 9, RTA_TABLE = 15;
    public static final int RTAX_LOCK = 1, RTAX_MTU = 2, RTAX_ADVMSS = 8;
    public static final int RTN_UNSPEC = 0, RTN_UNICAST = 1, RTN_LOCAL = 2, RTN_BROADCAST = 3, RTN_ANYCAST = 4,
            RTN_MULTICAST = 5, RTN_BLACKHOLE = 6, RTN_UNREACHABLE = 7, RTN_PROHIBIT = 8;
    public static final int RTPROT_UNSPEC = 0, RTPROT_REDIRECT = 1, RTPROT_KERNEL = 2, RTPROT_BOOT = 3,
            RTPROT_STATIC = 4;
    public static final int RT_SCOPE_UNIVERSE = 0, RT_SCOPE_SITE = 200, RT_SCOPE_LINK = 253, RT_SCOPE_HOST = 254,
            RT_SCOPE_NOWHERE = 255;
    public static final int RT_TABLE_UNSPEC = 0, RT_TABLE_DEFAULT = 253, RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255;
    public static final int RTNH_F_ONLINK = 4;
    public static final int RTM_F_CLONED = 0x200;

    // neighbours
    public static final int NDA_DST = 1, NDA_LLADDR = 2, NDA_CACHEINFO = 3, NDA_IFINDEX = 8;
    public static final int NUD_INCOMPLETE = 0x01, NUD_REACHABLE = 0x02, NUD_STALE = 0x04, NUD_DELAY = 0x08,
            NUD_PROBE = 0x10, NUD_FAILED = 0x20, NUD_NOARP = 0x40, NUD_PERMANENT = 0x80;
    public static final int NTF_PROXY = 0x08, NTF_ROUTER = 0x80;

    /** Rounds up to the 4-byte netlink alignment (NLMSG_ALIGN / NLA_ALIGN). */
    public static int align(int len) {
        return (len + 3) & ~3;
    }

    /** Rounds up to the 4-byte netlink alignment. */
    public static long align(long len) {
        return (len + 3) & ~3L;
    }

    /** Human name of a request type for error messages: "RTM_NEWLINK". */
    public static String typeName(int type) {
        return switch (type) {
            case RTM_NEWLINK -> "RTM_NEWLINK"; case RTM_DELLINK -> "RTM_DELLINK"; case RTM_GETLINK -> "RTM_GETLINK";
            case RTM_SETLINK -> "RTM_SETLINK"; case RTM_NEWADDR -> "RTM_NEWADDR"; case RTM_DELADDR -> "RTM_DELADDR";
            case RTM_GETADDR -> "RTM_GETADDR"; case RTM_NEWROUTE -> "RTM_NEWROUTE"; case RTM_DELROUTE -> "RTM_DELROUTE";
            case RTM_GETROUTE -> "RTM_GETROUTE"; case RTM_NEWNEIGH -> "RTM_NEWNEIGH"; case RTM_DELNEIGH -> "RTM_DELNEIGH";
            case RTM_GETNEIGH -> "RTM_GETNEIGH";
            default -> "nlmsg type " + type;
        };
    }
}
