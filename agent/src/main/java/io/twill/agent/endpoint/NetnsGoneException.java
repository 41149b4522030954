package io.twill.agent.endpoint;

import java.nio.file.Path;

/** The pod's network namespace does not exist (any more): the container is gone. */
public final class NetnsGoneException extends RuntimeException {
    public NetnsGoneException(Path netns, Throwable cause) {
        super("network namespace " + netns + " does not exist", cause);
    }
}
