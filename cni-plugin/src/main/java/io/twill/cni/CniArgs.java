package io.twill.cni;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * CNI_ARGS ({@code K=V;K=V}) parsed. Kubernetes runtimes send {@code K8S_POD_NAMESPACE}, {@code K8S_POD_NAME},
 * {@code K8S_POD_UID} and {@code K8S_POD_INFRA_CONTAINER_ID}; podman sends {@code K8S_POD_NAME} and, for static
 * addresses, {@code IP} (comma-separated) and {@code MAC}. {@code pairs} keeps every pair in order, known or not.
 * Optional values are null when absent.
 */
public record CniArgs(Map<String, String> pairs, boolean ignoreUnknown, String podNamespace, String podName,
                      String podUid, String infraContainerId, List<InetAddress> ips, String mac) {
    public static final CniArgs EMPTY = new CniArgs(Map.of(), false, null, null, null, null, List.of(), null);

    public CniArgs {
        Objects.requireNonNull(pairs, "pairs");
        pairs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pairs));
        ips = ips == null ? List.of() : List.copyOf(ips);
    }

    /** "namespace/name" when the runtime named the pod, for logs and endpoint labels. */
    public Optional<String> podRef() {
        if (podName == null) return Optional.empty();
        return Optional.of(podNamespace == null ? podName : podNamespace + "/" + podName);
    }
}
