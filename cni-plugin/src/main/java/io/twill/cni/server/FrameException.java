package io.twill.cni.server;

/** A request or response frame that does not follow PROTOCOL.md; the message says what is wrong. */
public final class FrameException extends RuntimeException {
    public FrameException(String message) {
        super(message);
    }
}
