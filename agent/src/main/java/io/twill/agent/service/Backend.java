package io.twill.agent.service;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * One endpoint of a Service port, as the datapath's {@code twill_lb_backends} holds it.
 *
 * @param key         address, target port, protocol
 * @param terminating serving but terminating: only used when no ready endpoint is left
 * @param nodeName    the node the endpoint runs on (EndpointSlice {@code nodeName}), null when unknown
 */
public record Backend(Key key, boolean terminating, String nodeName) {

    public record Key(Inet4Address addr, int port, int proto) implements Comparable<Key> {
        public Key {
            Objects.requireNonNull(addr, "addr");
            if (port < 1 || port > 65535) throw new IllegalArgumentException("backend port " + port + " outside 1..65535");
        }

        @Override
        public int compareTo(Key o) {
            int c = Integer.compareUnsigned(Frontend.bits(addr), Frontend.bits(o.addr));
            if (c != 0) return c;
            c = Integer.compare(port, o.port);
            return c != 0 ? c : Integer.compare(proto, o.proto);
        }

        @Override
        public String toString() {
            return addr.getHostAddress() + ":" + port;
        }
    }

    public Backend {
        Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
        return key + (terminating ? " (terminating)" : "");
    }
}
