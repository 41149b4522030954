package io.twill.e2e;

import io.twill.e2e.K8sObjects.Ep;
import io.twill.e2e.K8sObjects.Port;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.twill.e2e.NetnsCluster.*;
import static io.twill.e2e.PodSockets.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Services without kube-proxy (kubeProxyReplacement: true) and masquerading, on the local cluster, with Services and
 * EndpointSlices written to its API server as a user and the endpoint-slice controller would, and real sockets in
 * the pods: pods a, b on node1, c on node2; the outside host ("world") behind the underlay. Overlay routing here,
 * native routing in {@link ServicesNativeE2E}.
 */
@PrivilegedTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServicesE2E {
    static final Duration T = Duration.ofSeconds(3);
    static final String WORLD = "198.51.100.10", WORLD_ROUTED = "203.0.113.10";
    String a, b, c, node1, node2;

    String routing() {
        return "overlay";
    }

    @BeforeAll
    void up() {
        if (isUp()) fail("a netns cluster is already up in " + DIR + ": run 'ci/netns-cluster down' first");
        run("up", "--nodes", "2", "--routing", routing());
        a = run("pod-add", "node1", "a").strip();
        b = run("pod-add", "node1", "b").strip();
        c = run("pod-add", "node2", "c").strip();
        node1 = nodeIp("node1");
        node2 = nodeIp("node2");
    }

    @AfterAll
    void down() {
        run("down");
    }

    static String nodeIp(String node) {
        try {
            return java.nio.file.Files.readString(nodeDir(node).resolve("ip")).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A Service (ClusterIP, or NodePort with nodePort) and its EndpointSlice, written to the API. */
    void service(String name, String type, String vip, String policy, List<Port> ports, List<Ep> eps) {
        apiWrite("POST", K8sObjects.servicesPath("default"), K8sObjects.service("default", name, type, vip, policy, ports));
        apiWrite("POST", K8sObjects.slicesPath("default"), K8sObjects.endpointSlice("default", name, name + "-1", ports, eps));
    }

    void endpoints(String name, List<Port> ports, List<Ep> eps) {
        apiWrite("PUT", K8sObjects.slicesPath("default") + "/" + name + "-1",
                K8sObjects.endpointSlice("default", name, name + "-1", ports, eps));
    }

    /** Retries until the answer satisfies the check (the agents apply API changes within moments) or 10 s pass. */
    static String eventually(String what, Supplier<String> probe, java.util.function.Predicate<String> ok) {
        Instant deadline = Instant.now().plusSeconds(10);
        String last;
        do {
            last = probe.get();
            if (ok.test(last)) return last;
            sleep(200);
        } while (Instant.now().isBefore(deadline));
        return fail(what + ": last answer '" + last + "'");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String tcp(Path ns, String ip, int port) {
        return tcpOutcome(ns, ip, port, T);
    }

    /** A UDP request through a connected socket; like a resolver, it asks up to three times (UDP may lose one). */
    static String udp(Path ns, String ip, int port) {
        String r = "";
        for (int i = 0; i < 3; i++) {
            try {
                r = udpRequest(ns, ip, port, Duration.ofSeconds(1));
            } catch (IOException e) {
                r = e.toString();
            }
            if (!r.equals("timeout")) return r;
        }
        return r;
    }

    /** Which pod's echo server a new connection reaches (it names itself first), or why none. */
    static String echoBackend(Path ns, String ip) {
        try (Echo e = new Echo(ns, ip, 7, T)) {
            return e.backend;
        } catch (java.net.ConnectException e) {
            return "refused";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    @Order(1)
    void podsReachAClusterIpOverTcpAndUdpWithBackendsOnBothNodes() {
        List<Port> ports = List.of(Port.tcp("http", 80, 80), Port.udp("dns", 80, 80));
        service("web", "ClusterIP", "10.96.100.10", null, ports, List.of(Ep.ready(b, "node1"), Ep.ready(c, "node2")));
        service("only-b", "ClusterIP", "10.96.100.11", null, ports, List.of(Ep.ready(b, "node1")));
        service("only-c", "ClusterIP", "10.96.100.12", null, ports, List.of(Ep.ready(c, "node2")));
        Path pa = podNsPath("a");

        // same node and other node, TCP and UDP through a connected socket (the reply must come from the frontend)
        eventually("a -> only-b TCP", () -> tcp(pa, "10.96.100.11", 80), ("b " + a)::equals);
        eventually("a -> only-c TCP", () -> tcp(pa, "10.96.100.12", 80), ("c " + a)::equals);
        assertThat(udp(pa, "10.96.100.11", 80)).isEqualTo("b " + a);
        assertThat(udp(pa, "10.96.100.12", 80)).isEqualTo("c " + a);

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) seen.add(tcp(pa, "10.96.100.10", 80));
        assertThat(seen).as("30 connections to web spread over both backends, client address kept")
                .containsExactlyInAnyOrder("b " + a, "c " + a);
        // pods on the other node too
        assertThat(tcp(podNsPath("c"), "10.96.100.11", 80)).isEqualTo("b " + c);
        assertThat(udp(podNsPath("c"), "10.96.100.11", 80)).isEqualTo("b " + c);
    }

    @Test
    @Order(2)
    void nodesReachAClusterIp() {
        assertThat(tcp(nodeNsPath("node1"), "10.96.100.12", 80)).startsWith("c ");
        assertThat(tcp(nodeNsPath("node2"), "10.96.100.11", 80)).startsWith("b ");
        assertThat(udp(nodeNsPath("node1"), "10.96.100.11", 80)).startsWith("b ");
    }

    @Test
    @Order(3)
    void aNodePortReachesABackendOnAnotherNodeAndLocalPolicyKeepsTheClientAddress() {
        Path world = NetnsCluster.worldNsPath();
        List<Port> cluster = List.of(Port.tcp("http", 80, 80).withNodePort(30080), Port.udp("dns", 80, 80).withNodePort(30080));
        service("np", "NodePort", "10.96.100.20", "Cluster", cluster, List.of(Ep.ready(c, "node2")));
        // node1 has no backend: it translates, takes the connection's source (SNAT) and sends it on to node2
        eventually("world -> node1:30080", () -> tcp(world, node1, 30080), ("c " + node1)::equals);
        assertThat(udp(world, node1, 30080)).isEqualTo("c " + node1);
        // node2 has the backend: the client address is kept
        assertThat(tcp(world, node2, 30080)).isEqualTo("c " + WORLD);

        List<Port> local = List.of(Port.tcp("http", 80, 80).withNodePort(30081));
        service("np-local", "NodePort", "10.96.100.21", "Local", local, List.of(Ep.ready(c, "node2")));
        eventually("world -> node2:30081 (Local)", () -> tcp(world, node2, 30081), ("c " + WORLD)::equals);
        assertThat(tcp(world, node1, 30081)).as("Local policy, no backend on node1: refused").isEqualTo("refused");
        // from inside the cluster a Local NodePort still uses every backend
        assertThat(tcp(podNsPath("a"), node1, 30081)).isEqualTo("c " + a);
    }

    @Test
    @Order(4)
    void aServiceWithoutBackendsRefusesAtOnce() {
        service("empty", "ClusterIP", "10.96.100.30", null, List.of(Port.tcp("http", 80, 80)), List.of());
        Instant t0 = Instant.now();
        eventually("connect to a Service without backends", () -> tcp(podNsPath("a"), "10.96.100.30", 80), "refused"::equals);
        assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @Order(5)
    void scalingKeepsEstablishedConnectionsToSurvivingBackends() throws IOException {
        List<Port> ports = List.of(Port.tcp("echo", 7, 7));
        service("echo", "ClusterIP", "10.96.100.40", null, ports, List.of(Ep.ready(b, "node1")));
        Path pa = podNsPath("a");
        eventually("echo service", () -> echoBackend(pa, "10.96.100.40"), "b"::equals);
        List<Echo> conns = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) conns.add(new Echo(pa, "10.96.100.40", 7, T));
            endpoints("echo", ports, List.of(Ep.ready(b, "node1"), Ep.ready(c, "node2")));
            Set<String> backends = new HashSet<>();
            Instant deadline = Instant.now().plusSeconds(10);
            while (backends.size() < 2 && Instant.now().isBefore(deadline)) {
                Echo e = new Echo(pa, "10.96.100.40", 7, T);
                conns.add(e);
                backends.add(e.backend);
            }
            assertThat(backends).as("after scaling up, new connections reach both").containsExactlyInAnyOrder("b", "c");
            // scale down to c: connections to the survivor keep working, new ones only reach c
            endpoints("echo", ports, List.of(Ep.ready(c, "node2")));
            eventually("only c after scaling down", () -> echoBackend(pa, "10.96.100.40"), "c"::equals);
            for (int i = 0; i < 10; i++) assertThat(echoBackend(pa, "10.96.100.40")).isEqualTo("c");
            for (Echo e : conns) assertThat(e.roundTrip("ping " + e.backend)).isEqualTo("ping " + e.backend);
            // the Service deleted: established connections stay, new ones no longer reach a backend
            apiDelete(K8sObjects.servicesPath("default") + "/echo");
            eventually("the deleted Service no longer answers", () -> echoBackend(pa, "10.96.100.40"), s -> !s.equals("c") && !s.equals("b"));
            for (Echo e : conns) assertThat(e.roundTrip("still " + e.backend)).isEqualTo("still " + e.backend);
        } finally {
            conns.forEach(Echo::close);
        }
    }

    @Test
    @Order(6)
    void podsReachTheOutsideWorldMasqueradedAndNonMasqueradeCidrsWithTheirOwnAddress() {
        Path pa = podNsPath("a"), pc = podNsPath("c");
        assertThat(tcp(pa, WORLD, 80)).isEqualTo("world " + node1);
        assertThat(udp(pa, WORLD, 80)).isEqualTo("world " + node1);
        assertThat(tcp(pc, WORLD, 80)).isEqualTo("world " + node2);
        assertThat(ping(podNs("a"), WORLD)).as("ping to the world (ICMP echo masqueraded)").isTrue();
        assertThat(tcp(pa, WORLD_ROUTED, 80)).as("a non-masquerade destination sees the pod").isEqualTo("world " + a);
        assertThat(tcp(pc, WORLD_ROUTED, 80)).isEqualTo("world " + c);
    }

    @Test
    @Order(7)
    void clientIpAffinityKeepsAClientOnOneBackend() {
        List<Port> ports = List.of(Port.tcp("http", 80, 80));
        apiWrite("POST", K8sObjects.servicesPath("default"), withAffinity(K8sObjects.service("default", "sticky",
                "ClusterIP", "10.96.100.50", null, ports), 60));
        apiWrite("POST", K8sObjects.slicesPath("default"), K8sObjects.endpointSlice("default", "sticky", "sticky-1", ports,
                List.of(Ep.ready(b, "node1"), Ep.ready(c, "node2"))));
        Path pa = podNsPath("a"), pb = podNsPath("b");
        String first = eventually("sticky service", () -> tcp(pa, "10.96.100.50", 80), r -> r.matches("[bc] " + a));
        for (int i = 0; i < 15; i++) assertThat(tcp(pa, "10.96.100.50", 80)).as("connection " + i).isEqualTo(first);
        String other = tcp(pb, "10.96.100.50", 80);
        for (int i = 0; i < 15; i++) assertThat(tcp(pb, "10.96.100.50", 80)).isEqualTo(other);
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> withAffinity(java.util.Map<String, Object> svc, int seconds) {
        java.util.Map<String, Object> spec = new java.util.LinkedHashMap<>((java.util.Map<String, Object>) svc.get("spec"));
        spec.put("sessionAffinity", "ClientIP");
        spec.put("sessionAffinityConfig", java.util.Map.of("clientIP", java.util.Map.of("timeoutSeconds", seconds)));
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>(svc);
        out.put("spec", spec);
        return out;
    }

    @Test
    @Order(8)
    void clusterIpsTwillDoesNotOwnStayTheHostStacks() {
        // kube-proxy-style DNAT for an address no Service of the API holds: Twill leaves it to the stack and makes sure
        // the replies pass the stack again to be translated back.
        for (String chain : List.of("PREROUTING", "OUTPUT")) {
            io.twill.testkit.Cmd.run("ip", "netns", "exec", nodeNs("node1"), "iptables", "-w", "-t", "nat", "-A", chain,
                    "-d", "10.96.222.1", "-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination", c + ":80");
        }
        assertThat(tcp(podNsPath("a"), "10.96.222.1", 80)).isEqualTo("c " + a);
    }

    @Test
    @Order(9)
    void anAgentKilledAndRestartedUnderAStreamOfRequestsLosesNone() throws InterruptedException {
        Path pa = podNsPath("a");
        assertThat(tcp(pa, "10.96.100.10", 80)).matches("[bc] " + a);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread client = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                String r = tcp(pa, "10.96.100.10", 80);
                if (r.equals("b " + a) || r.equals("c " + a)) ok.incrementAndGet();
                else failures.add(r);
                sleep(20);
            }
        });
        sleep(500);
        run("agent-restart", "node1", "--kill");
        sleep(1000);
        stop.set(true);
        client.join();
        assertThat(failures).as("requests that failed while node1's agent restarted").isEmpty();
        assertThat(ok.get()).isGreaterThan(50);
    }
}
