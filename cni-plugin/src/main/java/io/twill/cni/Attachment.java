package io.twill.cni;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The key of one container attachment, as the spec says plugins should key their state:
 * (network name, CNI_CONTAINERID, CNI_IFNAME).
 */
public record Attachment(String network, String containerId, String ifName) {
    /** Spec charset for container ids and network names: alphanumeric first, then alphanumerics, '_', '.', '-'. */
    static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    public Attachment {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(ifName, "ifName");
        if (!ID.matcher(network).matches()) throw new IllegalArgumentException("invalid network name \"" + network + "\"");
        if (!ID.matcher(containerId).matches()) throw new IllegalArgumentException("invalid container id \"" + containerId + "\"");
        String why = CniEnvironment.ifNameProblem(ifName);
        if (why != null) throw new IllegalArgumentException("invalid interface name \"" + ifName + "\": " + why);
    }

    @Override
    public String toString() {
        return network + "/" + containerId + "/" + ifName;
    }
}
