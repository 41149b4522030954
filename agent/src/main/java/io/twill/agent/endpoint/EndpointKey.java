package io.twill.agent.endpoint;

import java.util.Objects;

/** An attachment: one interface of one container. Endpoints, their state files and their IPs are keyed by it. */
public record EndpointKey(String containerId, String ifname) implements Comparable<EndpointKey> {
    public EndpointKey {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(ifname, "ifname");
        if (containerId.isEmpty()) throw new IllegalArgumentException("containerId is empty");
        if (ifname.isEmpty()) throw new IllegalArgumentException("ifname is empty");
    }

    @Override
    public int compareTo(EndpointKey o) {
        int c = containerId.compareTo(o.containerId);
        return c != 0 ? c : ifname.compareTo(o.ifname);
    }

    @Override
    public String toString() {
        return containerId + "/" + ifname;
    }
}
