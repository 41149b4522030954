package io.twill.agent;

/** The agent cannot start; the message says what is missing or wrong, and what to do. */
public final class AgentStartupException extends RuntimeException {
    public AgentStartupException(String message) {
        super(message);
    }

    public AgentStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
