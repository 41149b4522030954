package io.twill.operator.config;

/** The operator's configuration is unreadable or invalid; the message names the file/flag/variable and key. */
public final class OperatorConfigException extends RuntimeException {

    public OperatorConfigException(String message) {
        super(message);
    }

    public OperatorConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
