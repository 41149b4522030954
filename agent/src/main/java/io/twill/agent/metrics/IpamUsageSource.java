package io.twill.agent.metrics;

import io.twill.agent.ipam.IpamUsage;

import java.util.Optional;

/** Where the agent's IPAM usage comes from (the core's allocator); empty before the pod CIDR is known. */
@FunctionalInterface
public interface IpamUsageSource {
    Optional<IpamUsage> ipamUsage();
}
