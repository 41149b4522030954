package io.twill.netlink;

import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Network namespace cookies: one per namespace, stable, and the same whether read inside the namespace or by path.
 * That they equal what BPF programs see ({@code bpf_get_netns_cookie}) is shown by the maps module's
 * SocketLbPrivilegedIT, whose socket hooks act only for the cookies this class reads.
 */
@PrivilegedTest
class NetNsCookiePrivilegedIT {
    @RegisterExtension
    final NetNsExtension netns = new NetNsExtension();

    @Test
    void eachNamespaceHasItsOwnStableCookie() {
        TestNamespace a = netns.create("cka");
        TestNamespace b = netns.create("ckb");
        long own = NetNs.currentCookie();
        long ca = NetNs.cookie(a.path());
        long cb = NetNs.cookie(b.path());
        assertThat(own).isPositive();
        assertThat(ca).isPositive().isNotEqualTo(cb).isNotEqualTo(own);
        assertThat(cb).isNotEqualTo(own);
        assertThat(NetNs.cookie(a.path())).as("stable").isEqualTo(ca);
        assertThat(a.call(NetNs::currentCookie)).as("read inside it").isEqualTo(ca);
        assertThat(NetNs.call(b.path(), NetNs::currentCookie)).isEqualTo(cb);
        assertThat(NetNs.cookie(Path.of("/proc/self/ns/net"))).as("this process's namespace by path").isEqualTo(own);
        assertThat(NetNs.currentCookie()).as("the caller's thread did not move").isEqualTo(own);
    }

    @Test
    void aMissingNamespaceIsNamed() {
        assertThatThrownBy(() -> NetNs.cookie(Path.of("/run/netns/tw-no-such-ns")))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("/run/netns/tw-no-such-ns");
    }
}
