package io.twill.agent.endpoint;


import io.twill.types.MacAddress;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * One pod attachment as Twill made it: what the state file records and what restart, DEL and CHECK work from.
 *
 * @param key         container id + interface name in the pod
 * @param network     CNI network name (GC works per network)
 * @param netns       the pod's network namespace path as the runtime gave it
 * @param podNamespace pod namespace (Kubernetes), null when unknown
 * @param podName     pod name, null when unknown
 * @param id          endpoint id in {@code twill_endpoints} (1..65535)
 * @param ip          the pod's address (configured as /32)
 * @param gateway     the pod's default gateway (the pod CIDR's network + 1; resolves to the lxc MAC)
 * @param hostIfname  host-side veth ({@code lxc…})
 * @param hostIfindex its ifindex in the node namespace
 * @param hostMac     its MAC (gateway neighbour in the pod; source MAC of delivered packets)
 * @param podIfindex  the pod-side ifindex inside the pod namespace
 * @param podMac      the pod-side MAC
 * @param mtu         device MTU of both veth ends
 * @param routeMtu    MTU carried by the pod's routes (mtu - 50 in overlay mode)
 * @param created     when ADD finished
 */
public record Endpoint(EndpointKey key, String network, Path netns, String podNamespace, String podName, int id,
                       Inet4Address ip, Inet4Address gateway, String hostIfname, int hostIfindex, MacAddress hostMac,
                       int podIfindex, MacAddress podMac, int mtu, int routeMtu, Instant created) {
    public static final int MAX_ID = 0xFFFF;

    public Endpoint {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(hostIfname, "hostIfname");
        Objects.requireNonNull(hostMac, "hostMac");
        Objects.requireNonNull(podMac, "podMac");
        Objects.requireNonNull(created, "created");
        if (id < 1 || id > MAX_ID) throw new IllegalArgumentException("endpoint id " + id + " outside 1.." + MAX_ID);
        if (mtu < 68 || routeMtu < 68 || routeMtu > mtu) {
            throw new IllegalArgumentException("mtu " + mtu + " / route mtu " + routeMtu + " are not consistent");
        }
    }

    public String podRef() {
        if (podName == null) return key.toString();
        return (podNamespace == null ? "" : podNamespace + "/") + podName;
    }

    public Endpoint withHostIfindex(int ifindex) {
        return new Endpoint(key, network, netns, podNamespace, podName, id, ip, gateway, hostIfname, ifindex, hostMac,
                podIfindex, podMac, mtu, routeMtu, created);
    }

    public Endpoint withPodIfindex(int ifindex) {
        return new Endpoint(key, network, netns, podNamespace, podName, id, ip, gateway, hostIfname, hostIfindex, hostMac,
                ifindex, podMac, mtu, routeMtu, created);
    }

    @Override
    public String toString() {
        return "endpoint " + id + " " + key + " " + ip.getHostAddress() + " on " + hostIfname + "(" + hostIfindex + ")"
                + (podName == null ? "" : " pod " + podRef());
    }
}
