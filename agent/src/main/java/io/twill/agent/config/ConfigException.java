package io.twill.agent.config;

/**
 * The agent's configuration is unusable. The message names the key (dotted path, flag or environment variable)
 * and what is wrong with it, e.g. {@code network.tunnelPort must be 1..65535, got 0}.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
