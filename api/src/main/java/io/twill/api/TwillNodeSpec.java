package io.twill.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code TwillNode.spec}: the node's addresses (written by its agent) and its IPAM block (written by the operator).
 * Missing fields read as empty, never null.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TwillNodeSpec(List<NodeAddress> addresses, IpamSpec ipam) {

    public static final TwillNodeSpec EMPTY = new TwillNodeSpec(List.of(), IpamSpec.EMPTY);

    public TwillNodeSpec {
        addresses = addresses == null ? List.of() : addresses.stream().filter(Objects::nonNull).toList();
        ipam = ipam == null ? IpamSpec.EMPTY : ipam;
    }

    public static TwillNodeSpec of(List<NodeAddress> addresses) {
        return new TwillNodeSpec(addresses, IpamSpec.EMPTY);
    }

    /** The pod CIDRs as written by the operator, possibly empty; never null. */
    @JsonIgnore
    public List<String> podCIDRs() {
        return ipam.podCIDRs();
    }

    /** The first {@code InternalIP} address, if any. */
    @JsonIgnore
    public Optional<String> internalIP() {
        return addresses.stream().filter(NodeAddress::isInternalIP).map(NodeAddress::ip)
                .filter(Objects::nonNull).findFirst();
    }

    public TwillNodeSpec withAddresses(List<NodeAddress> newAddresses) {
        return new TwillNodeSpec(newAddresses, ipam);
    }

    public TwillNodeSpec withPodCIDRs(List<String> podCIDRs) {
        return new TwillNodeSpec(addresses, new IpamSpec(podCIDRs));
    }
}
