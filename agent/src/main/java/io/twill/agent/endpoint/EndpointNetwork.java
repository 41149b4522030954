package io.twill.agent.endpoint;


import io.twill.types.MacAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The kernel side of an endpoint outside BPF: the veth pair, the pod's address, routes and gateway neighbour, and
 * the host's route to the pod. The real implementation speaks rtnetlink (node namespace and pod namespace); tests
 * use a recording double. Every method throws an unchecked exception naming the operation and object on failure;
 * {@link InterfaceNameTakenException} when a name is in use.
 */
public interface EndpointNetwork {

    /** The two ends of a new pair: the host end's ifindex (node namespace) and the pod end's (pod namespace). */
    record Veth(int hostIfindex, int podIfindex) {}

    /** What a new pair needs (no address yet: ADD creates the pair while IPAM persists the allocation). */
    record VethPlan(EndpointKey key, Path netns, String hostIfname, int mtu, MacAddress hostMac, MacAddress podMac) {}

    /**
     * Creates the pair: {@code hostIfname} (up) in the node namespace and {@code key.ifname()} directly in the pod
     * namespace {@code netns}, both with {@code mtu} and their MACs.
     *
     * @throws NetnsGoneException when the pod's namespace does not exist
     */
    Veth createVeth(VethPlan plan);

    /**
     * Inside the pod: the pod end ({@code ep.podIfindex()}) up, {@code ip/32}, a link-scope route to the gateway, the
     * default route via the gateway carrying {@code routeMtu}, and a permanent neighbour gateway → host MAC.
     */
    void configurePod(Endpoint ep);

    /** In the node namespace: the host end up and a /32 route to the pod's address through it. */
    void configureHost(Endpoint ep);

    /** Deletes the host end by name (the kernel removes the pod end and both ends' routes). False when absent. */
    boolean deleteVeth(String hostIfname);

    /** What differs from what ADD made (devices, addresses, routes, neighbour); empty when all is in place. */
    List<String> verify(Endpoint ep);

    /** Every host-side device whose name looks like Twill's ({@link LxcNames#isLxc}): name → ifindex. */
    Map<String, Integer> lxcDevices();
}
