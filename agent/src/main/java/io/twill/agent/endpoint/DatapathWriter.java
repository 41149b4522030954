package io.twill.agent.endpoint;

import java.net.Inet4Address;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The BPF side of an endpoint: {@code bpf_lxc} on the lxc device's ingress and the endpoint's entry in
 * {@code twill_endpoints}. The real implementation sits on the maps module; tests use a recording double.
 */
public interface DatapathWriter {

    /** What {@code twill_endpoints} holds for one address. */
    record Entry(int ifindex, int endpointId, int flags) {
        /** {@code ENDPOINT_F_HOST}: an address of the node itself, never an endpoint's; restart leaves these alone. */
        public static final int FLAG_HOST = 0x1;

        public boolean host() {
            return (flags & FLAG_HOST) != 0;
        }
    }

    /** Attaches {@code bpf_lxc} to the ingress of the host-side device, atomically replacing an older one. */
    void attach(String hostIfname, int hostIfindex);

    /** Removes Twill's attachment from the device and any pin of it; idempotent (a gone device is fine). */
    void detach(String hostIfname, int hostIfindex);

    /** Writes (or overwrites) the endpoint's entry: ip → ifindex, id, pod MAC, host MAC. */
    void putEndpoint(Endpoint ep);

    /** Deletes the entry for {@code ip}; false when there was none. */
    boolean removeEndpoint(Inet4Address ip);

    /** The entry for {@code ip}, if any. */
    Optional<Entry> endpoint(Inet4Address ip);

    /** Every entry of {@code twill_endpoints} (restart compares them with the state files). */
    Map<Inet4Address, Entry> endpoints();

    /** What differs from what ADD made (the attachment, the map entry); empty when all is in place. */
    List<String> verify(Endpoint ep);

    /**
     * Removes endpoint attachment records (pins) that belong to none of the {@code live} endpoints, left by
     * endpoints whose device went away while the agent was down. Returns what was cleaned up, in words.
     */
    List<String> removeStaleAttachments(Collection<Endpoint> live);
}
