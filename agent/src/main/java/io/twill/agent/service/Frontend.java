package io.twill.agent.service;

import java.net.Inet4Address;
import java.util.List;
import java.util.Objects;

/**
 * One address:port:protocol a Service answers on (a ClusterIP port, a NodePort on one of this node's addresses, an
 * external or load-balancer IP) and the backends behind it, as the datapath's {@code twill_lb_services} holds it.
 *
 * @param key             address, port, protocol
 * @param kind            what made it
 * @param service         namespace/name of the Service (for logs, metrics and twillctl)
 * @param backends        every backend, in a stable order (scope "any": pods and the node itself)
 * @param localBackends   externalTrafficPolicy: Local: the backends on this node, which external traffic uses
 *                        (scope "external"); null when the policy is Cluster
 * @param affinityTimeout sessionAffinity: ClientIP: seconds a client keeps its backend; 0 = no affinity
 */
public record Frontend(Key key, Kind kind, String service, List<Backend> backends, List<Backend> localBackends,
                       int affinityTimeout) {

    public enum Kind { CLUSTER_IP, NODE_PORT, EXTERNAL_IP }

    /** IANA protocol numbers, as the datapath keys them. */
    public static final int TCP = 6, UDP = 17;

    public record Key(Inet4Address addr, int port, int proto) implements Comparable<Key> {
        public Key {
            Objects.requireNonNull(addr, "addr");
            if (port < 1 || port > 65535) throw new IllegalArgumentException("frontend port " + port + " outside 1..65535");
            if (proto != TCP && proto != UDP) throw new IllegalArgumentException("frontend protocol " + proto + " is neither TCP nor UDP");
        }

        @Override
        public int compareTo(Key o) {
            int c = Integer.compareUnsigned(bits(addr), bits(o.addr));
            if (c != 0) return c;
            c = Integer.compare(port, o.port);
            return c != 0 ? c : Integer.compare(proto, o.proto);
        }

        @Override
        public String toString() {
            return addr.getHostAddress() + ":" + port + "/" + protoName(proto);
        }
    }

    public Frontend {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(service, "service");
        backends = List.copyOf(backends);
        localBackends = localBackends == null ? null : List.copyOf(localBackends);
        if (affinityTimeout < 0) throw new IllegalArgumentException("affinityTimeout " + affinityTimeout + " is negative");
        if (backends.size() > 65535) throw new IllegalArgumentException(service + " " + key + ": more than 65535 backends");
    }

    /** externalTrafficPolicy: Local (external traffic keeps the client address and uses local backends only). */
    public boolean local() {
        return localBackends != null;
    }

    public static String protoName(int proto) {
        return switch (proto) {
            case TCP -> "TCP";
            case UDP -> "UDP";
            default -> Integer.toString(proto);
        };
    }

    static int bits(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    @Override
    public String toString() {
        return kind + " " + key + " (" + service + ") -> " + backends + (local() ? " local " + localBackends : "")
                + (affinityTimeout > 0 ? " affinity " + affinityTimeout + "s" : "");
    }
}
