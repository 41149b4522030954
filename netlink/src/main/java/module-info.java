/**
 * rtnetlink over FFM. {@code io.twill.netlink.internal} (the socket, message codec and libc downcalls) is not
 * exported; native access is this module's alone ({@code --enable-native-access=io.twill.netlink}).
 */
module io.twill.netlink {
    requires transitive io.twill.types;
    requires org.slf4j;

    exports io.twill.netlink;
}
