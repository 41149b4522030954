package io.twill.agent.endpoint;

import java.util.List;

/**
 * An endpoint operation failed. For ADD, {@link #step()} names the step that failed and {@link #undone()} what
 * was rolled back; the cause is the underlying error (e.g. an {@code IpamExhaustedException} or a netlink error).
 */
public final class EndpointException extends RuntimeException {

    /** The steps of ADD, in order. */
    public enum Step {
        ALLOCATE_IP("allocate IP"), CREATE_VETH("create veth"), CONFIGURE_POD("configure pod interface"),
        CONFIGURE_HOST("configure host interface"), ATTACH_PROGRAM("attach bpf_lxc"),
        WRITE_MAP("write twill_endpoints"), SAVE_STATE("save endpoint state"),
        DELETE("delete"), RESTORE("restore");

        private final String text;

        Step(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private final EndpointKey key;
    private final Step step;
    private final List<String> undone;

    public EndpointException(String op, EndpointKey key, Step step, List<String> undone, Throwable cause) {
        super(op + " " + key + " failed at step '" + step + "': " + describe(cause)
                + (undone.isEmpty() ? "" : "; rolled back: " + String.join(", ", undone)), cause);
        this.key = key;
        this.step = step;
        this.undone = List.copyOf(undone);
    }

    private static String describe(Throwable t) {
        if (t == null) return "unknown error";
        String m = t.getMessage();
        return m == null || m.isEmpty() ? t.toString() : m;
    }

    public EndpointKey key() {
        return key;
    }

    public Step step() {
        return step;
    }

    public List<String> undone() {
        return undone;
    }
}
