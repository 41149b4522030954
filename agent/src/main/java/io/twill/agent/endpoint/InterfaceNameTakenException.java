package io.twill.agent.endpoint;

/** A device name the endpoint needs is already in use (in the pod: the runtime's ifname; on the host: the lxc name). */
public final class InterfaceNameTakenException extends RuntimeException {
    private final boolean inPod;

    public InterfaceNameTakenException(String message, boolean inPod, Throwable cause) {
        super(message, cause);
        this.inPod = inPod;
    }

    /** True when the name is taken inside the pod's namespace, false when on the node. */
    public boolean inPod() {
        return inPod;
    }
}
