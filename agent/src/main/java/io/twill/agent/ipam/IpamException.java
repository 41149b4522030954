package io.twill.agent.ipam;

/** An address could not be allocated, released or persisted; the message says which and why. */
public class IpamException extends RuntimeException {
    public IpamException(String message) {
        super(message);
    }

    public IpamException(String message, Throwable cause) {
        super(message, cause);
    }
}
