package io.twill.agent.ipam;


import io.twill.types.Ipv4Prefix;
import java.util.List;

/**
 * Where the node's pod CIDRs come from: the operator through the node's TwillNode ({@code spec.ipam.podCIDRs},
 * implemented by the Kubernetes side of the agent) or {@code --pod-cidr} in standalone mode ({@link #fixed}).
 */
@FunctionalInterface
public interface PodCidrSource {
    /**
     * Blocks until the node has at least one pod CIDR and returns them (never empty). Implementations log while
     * they wait, so an operator that never answers is visible.
     */
    List<Ipv4Prefix> awaitPodCidrs() throws InterruptedException;

    static PodCidrSource fixed(List<Ipv4Prefix> cidrs) {
        if (cidrs.isEmpty()) throw new IllegalArgumentException("no pod CIDRs");
        List<Ipv4Prefix> copy = List.copyOf(cidrs);
        return () -> copy;
    }
}
