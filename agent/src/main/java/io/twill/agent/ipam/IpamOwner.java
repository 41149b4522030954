package io.twill.agent.ipam;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;

/**
 * Who holds an address: the attachment (container id + interface name, and the CNI network) and, when the
 * runtime said, the pod. {@link #UNKNOWN} marks an allocation whose file could not be read: the address stays
 * taken until reconciliation proves nobody uses it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IpamOwner(String containerId, String ifname, String network, String podNamespace, String podName) {
    public static final IpamOwner UNKNOWN = new IpamOwner("", "", null, null, null);

    public IpamOwner {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(ifname, "ifname");
    }

    public static IpamOwner of(String containerId, String ifname) {
        return new IpamOwner(containerId, ifname, null, null, null);
    }

    public boolean isUnknown() {
        return containerId.isEmpty();
    }

    /** Whether this owner is the attachment {@code containerId}/{@code ifname}. */
    public boolean is(String containerId, String ifname) {
        return this.containerId.equals(containerId) && this.ifname.equals(ifname);
    }

    @Override
    public String toString() {
        if (isUnknown()) return "unknown owner";
        String pod = podName == null ? "" : " (pod " + (podNamespace == null ? "" : podNamespace + "/") + podName + ")";
        return containerId + "/" + ifname + pod;
    }
}
