package io.twill.operator.k8s;

/** A write to a TwillNode failed; {@link #kind()} tells the controller whether to retry, wait or forget. */
public final class WriteException extends RuntimeException {

    public enum Kind {
        /** The object changed since it was read (HTTP 409): re-read and decide again. */
        CONFLICT,
        /** The object is gone (HTTP 404). */
        GONE,
        /** Anything else (API unreachable, 5xx, forbidden...): retry later. */
        FAILED
    }

    private final Kind kind;

    public WriteException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
