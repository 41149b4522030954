package io.twill.cni;

import io.twill.cni.result.CniResult;

/**
 * What the agent implements: the CNI verbs on typed, version-neutral, already validated requests.
 *
 * <p>The engine calls these on virtual threads: calls for different containers run in parallel, calls for the same
 * container id arrive strictly in the order the runtime sent them (never two at once for one container). Report
 * failures the runtime should see with a specific code by throwing {@link CniException} (IPAM exhausted:
 * {@link CniException#TRY_AGAIN_LATER}; netns vanished during ADD: {@link CniException#UNKNOWN_CONTAINER}); any other
 * exception becomes {@link CniException#INTERNAL} with its message as details, and is logged.
 */
public interface CniBackend {
    /**
     * Creates the attachment and returns what was created: the interfaces (host side without sandbox, container
     * side with {@code sandbox = netns}), the IPs with indexes into that list, routes and DNS. The engine merges it
     * onto {@code request.conf().prevResult()} and prints it in the config's version.
     */
    CniResult add(AddRequest request);

    /** Releases the attachment; succeeds when there is nothing to release. */
    void del(DelRequest request);

    /** Verifies the attachment; throws CniException describing the first problem found. */
    void check(CheckRequest request);

    /** Readiness for ADD (spec 1.1.0 STATUS). */
    void status(StatusRequest request);

    /** Releases every attachment of the network not in the valid set (spec 1.1.0 GC). */
    void gc(GcRequest request);

    /**
     * Whether the attachment exists now (an ADD succeeded and no DEL followed). The engine asks before ADD, in the
     * same per-container order, and refuses a second ADD with {@link CniException#ALREADY_ATTACHED}, as the spec
     * requires ("If an interface of the requested name already exists in the container, the CNI plugin MUST return
     * with an error").
     */
    boolean isAttached(Attachment attachment);
}
