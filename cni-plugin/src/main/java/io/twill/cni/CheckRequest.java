package io.twill.cni;

import io.twill.cni.result.CniResult;

import java.nio.file.Path;
import java.util.Objects;

/**
 * CHECK: is the attachment still as the last ADD left it? {@code expected} is the prevResult the runtime cached
 * (the whole chain's final result; Twill's own interfaces are the ones whose names it chose). Throw a
 * {@link CniException} to report a problem; return normally when all is well.
 */
public record CheckRequest(Attachment attachment, Path netns, CniArgs args, NetConf conf, CniResult expected) {
    public CheckRequest {
        Objects.requireNonNull(attachment, "attachment");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(conf, "conf");
        Objects.requireNonNull(expected, "expected");
    }
}
