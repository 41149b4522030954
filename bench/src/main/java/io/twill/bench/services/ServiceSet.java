package io.twill.bench.services;

import io.twill.types.Ipv4;

import java.net.Inet4Address;
import java.util.List;
import java.util.Locale;

/**
 * The Services of the Services benchmark, the same for Twill's maps and for the kube-proxy-style rules: {@code count}
 * ClusterIP Services (namespace {@value #NAMESPACE}, names svc-00000.., port {@value #PORT}/TCP named "http", ClusterIPs
 * 10.96.0.1 upwards), each with one endpoint per backend port, all on the backend pod.
 *
 * <p>The client uses one of them, {@link #target()}: the one in the middle of the list, so that kube-proxy's
 * KUBE-SERVICES chain, which matches a new connection rule by rule, costs it what it costs a Service on average (its
 * order is a Go map's, i.e. any). One Service rather than many keeps the client's connections within one (port,
 * address) space, so the host's connection tracking table (TIME_WAIT entries live 120 s) stays bounded.
 *
 * @param count   number of Services, 1..{@value #MAX}
 * @param backend the backend pod's address
 * @param ports   the backend pod's ports: one endpoint each
 */
public record ServiceSet(int count, Inet4Address backend, List<Integer> ports) {
    public static final String NAMESPACE = "bench";
    public static final int PORT = 80, MAX = 60_000;
    private static final int VIP_BASE = Ipv4.toInt(Ipv4.parse("10.96.0.0"));

    public ServiceSet {
        if (count < 1 || count > MAX) throw new IllegalArgumentException("--count must be 1.." + MAX + ", got " + count);
        ports = List.copyOf(ports);
        if (ports.isEmpty()) throw new IllegalArgumentException("--ports: at least one backend port");
        for (int p : ports) if (p < 1 || p > 65535) throw new IllegalArgumentException("--ports: " + p + " is not a port");
    }

    /** The ClusterIP of Service {@code i}. */
    public static Inet4Address vip(int i) {
        return Ipv4.fromInt(VIP_BASE + 1 + i);
    }

    /** Service index of a ClusterIP, or -1 when it is not one of the benchmark's. */
    public static int indexOf(Inet4Address vip) {
        int i = Ipv4.toInt(vip) - VIP_BASE - 1;
        return i >= 0 && i < MAX ? i : -1;
    }

    public static String name(int i) {
        return String.format(Locale.ROOT, "svc-%05d", i);
    }

    /** kube-proxy's name of the service port: namespace/name:port-name. */
    public static String servicePortName(int i) {
        return NAMESPACE + "/" + name(i) + ":http";
    }

    /** The Service the client connects to. */
    public int target() {
        return count / 2;
    }
}
