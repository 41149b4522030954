package io.twill.agent.k8s;

import io.twill.api.TwillNode;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import java.net.Inet4Address;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the node watcher needs from one TwillNode, validated: its name, underlay IPv4 ({@code InternalIP}), pod CIDRs
 * (possibly none yet) and creation time (the older node wins when two claim the same CIDR).
 */
public record PeerNode(String name, Inet4Address nodeIp, List<Ipv4Prefix> podCidrs, Instant created) {

    public PeerNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(nodeIp, "nodeIp");
        podCidrs = List.copyOf(podCidrs);
        created = created == null ? Instant.EPOCH : created;
    }

    /**
     * Reads and checks a TwillNode. Empty when the node has neither pod CIDRs nor an address yet (nothing to route
     * to). A node without pod CIDRs is valid (the operator has not got to it yet); a node with pod CIDRs but no
     * usable InternalIP, or with a CIDR that is not a canonical IPv4 prefix, is refused.
     *
     * @throws IllegalArgumentException naming the field and the bad value
     */
    public static Optional<PeerNode> from(TwillNode node) {
        String name = node.nodeName();
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("metadata.name is empty");
        }
        List<Ipv4Prefix> cidrs = new ArrayList<>();
        for (String s : node.getSpec().podCIDRs()) {
            Ipv4Prefix c;
            try {
                c = Ipv4Prefix.parse(s.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("spec.ipam.podCIDRs: " + e.getMessage(), e);
            }
            if (c.length() == 0) {
                throw new IllegalArgumentException("spec.ipam.podCIDRs: '" + s + "' covers every address");
            }
            if (!cidrs.contains(c)) {
                cidrs.add(c);
            }
        }
        String ipText = node.getSpec().internalIP().orElse(null);
        if (ipText == null) {
            if (cidrs.isEmpty()) {
                return Optional.empty();
            }
            throw new IllegalArgumentException("spec.addresses has no InternalIP, but spec.ipam.podCIDRs is " + cidrs);
        }
        Inet4Address ip;
        try {
            ip = Ipv4.parse(ipText.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.addresses InternalIP: " + e.getMessage(), e);
        }
        if (ip.isAnyLocalAddress() || ip.isLoopbackAddress() || ip.isMulticastAddress()
                || Ipv4.toInt(ip) == -1) {
            throw new IllegalArgumentException("spec.addresses InternalIP " + ipText + " cannot be a tunnel endpoint");
        }
        return Optional.of(new PeerNode(name, ip, cidrs, created(node)));
    }

    private static Instant created(TwillNode node) {
        String ts = node.getMetadata().getCreationTimestamp();
        if (ts == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(ts);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
