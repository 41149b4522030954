package io.twill.netlink.internal;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.List;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The C structs of rtnetlink as {@link StructLayout}s named after the C struct, members named after the C fields,
 * and the byte offsets the codecs use (derived from the layouts, so the layout is the single source of truth).
 * {@code LayoutsMatchCTest} checks size, alignment and every member offset/size against the C headers.
 */
public final class Structs {
    private Structs() {}

    public static final StructLayout nlmsghdr = MemoryLayout.structLayout(
            JAVA_INT.withName("nlmsg_len"),
            JAVA_SHORT.withName("nlmsg_type"),
            JAVA_SHORT.withName("nlmsg_flags"),
            JAVA_INT.withName("nlmsg_seq"),
            JAVA_INT.withName("nlmsg_pid")).withName("nlmsghdr");

    public static final StructLayout nlmsgerr = MemoryLayout.structLayout(
            JAVA_INT.withName("error"),
            nlmsghdr.withName("msg")).withName("nlmsgerr");

    public static final StructLayout nlattr = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nla_len"),
            JAVA_SHORT.withName("nla_type")).withName("nlattr");

    public static final StructLayout rtattr = MemoryLayout.structLayout(
            JAVA_SHORT.withName("rta_len"),
            JAVA_SHORT.withName("rta_type")).withName("rtattr");

    public static final StructLayout sockaddr_nl = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nl_family"),
            JAVA_SHORT.withName("nl_pad"),
            JAVA_INT.withName("nl_pid"),
            JAVA_INT.withName("nl_groups")).withName("sockaddr_nl");

    public static final StructLayout ifinfomsg = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ifi_family"),
            JAVA_BYTE.withName("__ifi_pad"),
            JAVA_SHORT.withName("ifi_type"),
            JAVA_INT.withName("ifi_index"),
            JAVA_INT.withName("ifi_flags"),
            JAVA_INT.withName("ifi_change")).withName("ifinfomsg");

    public static final StructLayout ifaddrmsg = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ifa_family"),
            JAVA_BYTE.withName("ifa_prefixlen"),
            JAVA_BYTE.withName("ifa_flags"),
            JAVA_BYTE.withName("ifa_scope"),
            JAVA_INT.withName("ifa_index")).withName("ifaddrmsg");

    public static final StructLayout rtmsg = MemoryLayout.structLayout(
            JAVA_BYTE.withName("rtm_family"),
            JAVA_BYTE.withName("rtm_dst_len"),
            JAVA_BYTE.withName("rtm_src_len"),
            JAVA_BYTE.withName("rtm_tos"),
            JAVA_BYTE.withName("rtm_table"),
            JAVA_BYTE.withName("rtm_protocol"),
            JAVA_BYTE.withName("rtm_scope"),
            JAVA_BYTE.withName("rtm_type"),
            JAVA_INT.withName("rtm_flags")).withName("rtmsg");

    public static final StructLayout ndmsg = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ndm_family"),
            JAVA_BYTE.withName("ndm_pad1"),
            JAVA_SHORT.withName("ndm_pad2"),
            JAVA_INT.withName("ndm_ifindex"),
            JAVA_SHORT.withName("ndm_state"),
            JAVA_BYTE.withName("ndm_flags"),
            JAVA_BYTE.withName("ndm_type")).withName("ndmsg");

    /** Every layout above, for the layout test. */
    public static final List<StructLayout> ALL =
            List.of(nlmsghdr, nlmsgerr, nlattr, rtattr, sockaddr_nl, ifinfomsg, ifaddrmsg, rtmsg, ndmsg);

    public static long off(StructLayout s, String member) {
        return s.byteOffset(groupElement(member));
    }

    public static final long NLMSG_HDRLEN = nlmsghdr.byteSize();
    public static final long NLMSG_LEN = off(nlmsghdr, "nlmsg_len"), NLMSG_TYPE = off(nlmsghdr, "nlmsg_type"),
            NLMSG_FLAGS = off(nlmsghdr, "nlmsg_flags"), NLMSG_SEQ = off(nlmsghdr, "nlmsg_seq"),
            NLMSG_PID = off(nlmsghdr, "nlmsg_pid");
    public static final long ERR_ERROR = off(nlmsgerr, "error"), ERR_MSG = off(nlmsgerr, "msg");
    public static final long NLA_HDRLEN = nlattr.byteSize();
    public static final long NLA_LEN = off(nlattr, "nla_len"), NLA_TYPE = off(nlattr, "nla_type");
    public static final long IFI_FAMILY = off(ifinfomsg, "ifi_family"), IFI_TYPE = off(ifinfomsg, "ifi_type"),
            IFI_INDEX = off(ifinfomsg, "ifi_index"), IFI_FLAGS = off(ifinfomsg, "ifi_flags"),
            IFI_CHANGE = off(ifinfomsg, "ifi_change");
    public static final long IFA_FAMILY = off(ifaddrmsg, "ifa_family"), IFA_PREFIXLEN = off(ifaddrmsg, "ifa_prefixlen"),
            IFA_FLAGS_OFF = off(ifaddrmsg, "ifa_flags"), IFA_SCOPE = off(ifaddrmsg, "ifa_scope"),
            IFA_INDEX = off(ifaddrmsg, "ifa_index");
    public static final long RTM_FAMILY = off(rtmsg, "rtm_family"), RTM_DST_LEN = off(rtmsg, "rtm_dst_len"),
            RTM_SRC_LEN = off(rtmsg, "rtm_src_len"), RTM_TOS = off(rtmsg, "rtm_tos"), RTM_TABLE = off(rtmsg, "rtm_table"),
            RTM_PROTOCOL = off(rtmsg, "rtm_protocol"), RTM_SCOPE = off(rtmsg, "rtm_scope"),
            RTM_TYPE = off(rtmsg, "rtm_type"), RTM_FLAGS = off(rtmsg, "rtm_flags");
    public static final long NDM_FAMILY = off(ndmsg, "ndm_family"), NDM_IFINDEX = off(ndmsg, "ndm_ifindex"),
            NDM_STATE = off(ndmsg, "ndm_state"), NDM_FLAGS = off(ndmsg, "ndm_flags"), NDM_TYPE = off(ndmsg, "ndm_type");
    public static final long NL_FAMILY = off(sockaddr_nl, "nl_family"), NL_PID = off(sockaddr_nl, "nl_pid"),
            NL_GROUPS = off(sockaddr_nl, "nl_groups");
}
