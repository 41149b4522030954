package io.twill.cni;

import java.nio.file.Path;
import java.util.Objects;

/**
 * ADD: attach the container to the network. {@code conf.prevResult()} is an earlier plugin's result, or null when
 * Twill is first in the chain; the engine merges the backend's own result onto it, so the backend returns only what
 * it created.
 */
public record AddRequest(Attachment attachment, Path netns, CniArgs args, NetConf conf) {
    public AddRequest {
        Objects.requireNonNull(attachment, "attachment");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(conf, "conf");
    }
}
