package io.twill.datapath;

import io.twill.bpf.BpfLink;
import io.twill.bpf.BpfObject;
import io.twill.bpf.BpfProgram;
import io.twill.bpf.CgroupAttachType;
import io.twill.bpf.CgroupAttachment;
import io.twill.bpf.ObjectSpec;
import io.twill.types.Ipv4;
import io.twill.maps.MapEntry;
import io.twill.maps.Protocols;
import io.twill.maps.lb.LbAffinity;
import io.twill.maps.lb.LbAffinityKey;
import io.twill.maps.lb.LbAffinityMap;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbBackendsMap;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbNetns;
import io.twill.maps.lb.LbNetnsMap;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatMap;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbServicesMap;
import io.twill.maps.lb.LbSock;
import io.twill.maps.lb.LbSockKey;
import io.twill.maps.lb.LbSocketsMap;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.MetricsMap;
import io.twill.maps.metrics.Reason;
import io.twill.netlink.NetNs;
import io.twill.testkit.Cmd;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestCgroup;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Socket-level load balancing for real: bpf_sock's four programs on a fresh child cgroup, the twill_lb_* maps filled
 * for one namespace (by its cookie from {@link NetNs#cookie}), and client processes started inside that cgroup and a
 * namespace. A TCP connect and UDP datagrams to ClusterIP frontends reach backends on 127.0.0.1 while the client sees
 * only the frontend (getpeername, recvfrom on connected and unconnected sockets); a frontend without backends refuses
 * with ECONNREFUSED and counts DROP_NO_SERVICE_BACKEND; a namespace not in twill_lb_netns is left alone. Session
 * affinity keyed by the namespace cookie shows the cookie Java reads is the one {@code bpf_get_netns_cookie} reports.
 */
@PrivilegedTest
class SocketLbPrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    @RegisterExtension final PinRoots pins = new PinRoots();

    static final InetAddress LOCALHOST = Ipv4.parse("127.0.0.1");
    static final String WEB = "10.96.0.10", DNS = "10.96.0.53", EMPTY = "10.96.0.99", STICKY = "10.96.0.11";

    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private TestCgroup cg;
    private BpfObject sock;
    private final List<BpfLink> links = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cg = TestCgroup.create("socklb");
        sock = ObjectSpec.fromResource(SocketLbPrivilegedIT.class, "/io/twill/bpf/bpf_sock.bpf.o")
                .withObjectName("bpf_sock").withPinRoot(pins.create("socklb"))
                .withConstant("cfg_kube_proxy_replacement", 1).load();
        for (BpfProgram p : sock.programs()) {
            links.add(BpfLink.attachCgroup(p, cg.path(), CgroupAttachType.ofSection(p.sectionName())));
        }
        assertThat(links).as("connect, sendmsg, recvmsg and getpeername, for IPv4 and IPv4-mapped IPv6").hasSize(8);
    }

    @AfterEach
    void tearDown() throws Exception {
        // Links, servers and the object first, then the cgroup; each step runs whatever failed before it.
        List<Exception> failures = new ArrayList<>();
        for (BpfLink l : links) run(failures, l::close);
        for (AutoCloseable c : closeLast) run(failures, c::close);
        if (sock != null) run(failures, sock::close);
        if (cg != null) run(failures, cg::close);
        if (!failures.isEmpty()) throw failures.getFirst();
    }

    private static void run(List<Exception> failures, AutoCloseable step) {
        try {
            step.close();
        } catch (Exception e) {
            failures.add(e);
        }
    }

    /** A TCP server in {@code ns} on {@code addr:port} that answers every connection with {@code greeting}. */
    private void tcpServer(TestNamespace ns, String addr, int port, String greeting) {
        ServerSocket s = ns.call(() -> new ServerSocket(port, 50, Ipv4.parse(addr)));
        closeLast.add(s);
        Thread.ofPlatform().daemon().name("tcp-" + addr).start(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept(); OutputStream out = c.getOutputStream()) {
                    out.write((greeting + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    /** A UDP server in {@code ns} that answers each datagram with "echo:" + its payload. */
    private void udpServer(TestNamespace ns, String addr, int port) {
        DatagramSocket s = ns.call(() -> new DatagramSocket(new InetSocketAddress(Ipv4.parse(addr), port)));
        closeLast.add(s);
        Thread.ofPlatform().daemon().name("udp-" + addr).start(() -> {
            byte[] buf = new byte[512];
            while (!s.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    byte[] reply = ("echo:" + new String(buf, 0, p.getLength(), StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static final String CLIENT = """
            import socket, sys
            def tcp(addr, port):
                try:
                    s = socket.create_connection((addr, port), timeout=5)
                except OSError as e:
                    return 'errno %d' % e.errno
                peer = s.getpeername()
                data = s.recv(100).decode().strip()
                s.close()
                return '%s:%d %s' % (peer[0], peer[1], data)
            for name, addr in [('web', '10.96.0.10'), ('empty', '10.96.0.99'), ('sticky', '10.96.0.11')]:
                print(name, tcp(addr, 80))
            if sys.argv[1] == 'udp':
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u.settimeout(5)
                u.connect(('10.96.0.53', 53))
                u.send(b'one')
                d, src = u.recvfrom(100)
                p = u.getpeername()
                print('udp-connected', '%s:%d %s:%d %s' % (src[0], src[1], p[0], p[1], d.decode()))
                v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                v.settimeout(5)
                v.sendto(b'two', ('10.96.0.53', 53))
                d, src = v.recvfrom(100)
                print('udp-unconnected', '%s:%d %s' % (src[0], src[1], d.decode()))
                # dual-stack sockets (the JVM's, among others) reach IPv4 through mapped addresses
                t6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                t6.settimeout(5)
                t6.connect(('::ffff:10.96.0.10', 80))
                p6 = t6.getpeername()
                print('tcp6-mapped', '%s:%d %s' % (p6[0], p6[1], t6.recv(100).decode().strip()))
                u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                u6.settimeout(5)
                u6.connect(('::ffff:10.96.0.53', 53))
                u6.send(b'six')
                d, src = u6.recvfrom(100)
                print('udp6-mapped', '%s:%d %s' % (src[0], src[1], d.decode()))
            """;

    /** Runs the client inside the test cgroup and {@code ns}; its answers by name. */
    private Map<String, String> client(TestNamespace ns, boolean udp) {
        Cmd.Result r = Cmd.exec(cg.wrap("ip", "netns", "exec", ns.name(), "/usr/bin/python3", "-c", CLIENT,
                udp ? "udp" : "tcp"), 60).check();
        Map<String, String> out = new LinkedHashMap<>();
        r.stdout().lines().forEach(l -> out.put(l.substring(0, l.indexOf(' ')), l.substring(l.indexOf(' ') + 1)));
        return out;
    }

    @Test
    void frontendsReachBackendsInServedNamespacesOnly() {
        TestNamespace served = netns.create("lbs");
        TestNamespace other = netns.create("lbo");
        tcpServer(served, "127.0.0.1", 8080, "backend");
        udpServer(served, "127.0.0.1", 5353);
        other.exec("ip", "addr", "add", WEB + "/32", "dev", "lo");
        tcpServer(other, WEB, 80, "untranslated");
        tcpServer(other, "127.0.0.1", 8080, "backend");

        long cookie = NetNs.cookie(served.path());
        try (LbServicesMap services = LbServicesMap.of(sock.map(LbServicesMap.MAP_NAME));
             LbBackendsMap backends = LbBackendsMap.of(sock.map(LbBackendsMap.MAP_NAME));
             LbRevNatMap revnat = LbRevNatMap.of(sock.map(LbRevNatMap.MAP_NAME));
             LbNetnsMap netnsMap = LbNetnsMap.of(sock.map(LbNetnsMap.MAP_NAME));
             LbSocketsMap sockets = LbSocketsMap.of(sock.map(LbSocketsMap.MAP_NAME));
             LbAffinityMap affinity = LbAffinityMap.of(sock.map(LbAffinityMap.MAP_NAME));
             MetricsMap metrics = MetricsMap.of(sock.map(MetricsMap.MAP_NAME))) {
            backends.put(1, LbBackend.active(Ipv4.parse("127.0.0.1"), 8080, Protocols.TCP));
            backends.put(2, LbBackend.active(Ipv4.parse("127.0.0.1"), 5353, Protocols.UDP));
            revnat.put(1, new LbRevNat(Ipv4.parse(WEB), 80));
            revnat.put(2, new LbRevNat(Ipv4.parse(DNS), 53));
            revnat.put(3, new LbRevNat(Ipv4.parse(EMPTY), 80));
            revnat.put(4, new LbRevNat(Ipv4.parse(STICKY), 80));
            services.putFrontend(LbKey.frontend(Ipv4.parse(WEB), 80, Protocols.TCP),
                    LbService.service(1, 1, LbService.F_CLUSTER_IP, 0), List.of(1L));
            services.putFrontend(LbKey.frontend(Ipv4.parse(DNS), 53, Protocols.UDP),
                    LbService.service(1, 2, LbService.F_CLUSTER_IP, 0), List.of(2L));
            services.putFrontend(LbKey.frontend(Ipv4.parse(EMPTY), 80, Protocols.TCP),
                    LbService.service(0, 3, LbService.F_CLUSTER_IP, 0), List.of());
            services.putFrontend(LbKey.frontend(Ipv4.parse(STICKY), 80, Protocols.TCP),
                    LbService.service(1, 4, LbService.F_CLUSTER_IP | LbService.F_AFFINITY, 60), List.of(1L));
            netnsMap.put(cookie, LbNetns.NODE);
            long refusedBefore = metrics.get(Reason.NO_SERVICE_BACKEND, Direction.EGRESS).packets();

            Map<String, String> in = client(served, true);
            assertThat(in.get("web")).as("connected to the backend, getpeername shows the frontend")
                    .isEqualTo(WEB + ":80 backend");
            assertThat(in.get("empty")).as("no backend: ECONNREFUSED").isEqualTo("errno 111");
            assertThat(in.get("sticky")).isEqualTo(STICKY + ":80 backend");
            assertThat(in.get("udp-connected")).as("reply source and peer are the frontend")
                    .isEqualTo(DNS + ":53 " + DNS + ":53 echo:one");
            assertThat(in.get("udp-unconnected")).isEqualTo(DNS + ":53 echo:two");
            assertThat(in.get("tcp6-mapped")).as("an IPv6 socket to a mapped frontend").isEqualTo("::ffff:" + WEB + ":80 backend");
            assertThat(in.get("udp6-mapped")).as("its connected UDP twin gets the reply, from the frontend")
                    .isEqualTo("::ffff:" + DNS + ":53 echo:six");
            assertThat(metrics.get(Reason.NO_SERVICE_BACKEND, Direction.EGRESS).packets()).isEqualTo(refusedBefore + 1);

            List<MapEntry<LbSockKey, LbSock>> socks = sockets.entries();
            assertThat(socks).anyMatch(e -> e.key().addr().equals(LOCALHOST) && e.key().port() == 8080
                    && e.value().equals(new LbSock(Ipv4.parse(WEB), 80, 1)));
            assertThat(socks).anyMatch(e -> e.key().port() == 5353 && e.value().equals(new LbSock(Ipv4.parse(DNS), 53, 2)));
            // The affinity key is the namespace cookie bpf_get_netns_cookie reported: the same as NetNs.cookie.
            assertThat(affinity.entries()).extracting(MapEntry::key).containsExactly(LbAffinityKey.ofNetns(cookie, 4));
            assertThat(affinity.lookup(LbAffinityKey.ofNetns(cookie, 4)).map(LbAffinity::backendId)).contains(1L);

            int socketsBefore = socks.size();
            Map<String, String> out = client(other, false);
            assertThat(out.get("web")).as("namespace not in twill_lb_netns: untouched").isEqualTo(WEB + ":80 untranslated");
            assertThat(out.get("empty")).as("no route to an untranslated ClusterIP").isEqualTo("errno 101");
            assertThat(sockets.entries()).hasSize(socketsBefore);
            assertThat(metrics.get(Reason.NO_SERVICE_BACKEND, Direction.EGRESS).packets()).isEqualTo(refusedBefore + 1);

            // Once its namespace is served too, the same client is translated.
            netnsMap.put(NetNs.cookie(other.path()), new LbNetns(7));
            assertThat(client(other, false).get("web")).isEqualTo(WEB + ":80 backend");
        }
        assertThat(cg.pids()).as("every client has exited").isEmpty();
    }

    @Test
    void eachProgramSitsOnItsHookOfTheTestCgroup() {
        assertThat(links).extracting(l -> CgroupAttachType.ofAttachType(l.info().attachType()))
                .containsExactlyInAnyOrder(CgroupAttachType.values());
        assertThat(links).extracting(l -> l.info().cgroupId()).containsOnly(CgroupAttachment.cgroupId(cg.path()));
    }
}
