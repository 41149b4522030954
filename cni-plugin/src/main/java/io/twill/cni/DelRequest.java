package io.twill.cni;

import java.nio.file.Path;
import java.util.Objects;

/**
 * DEL: release everything held for the attachment. Must succeed when there is nothing (left) to delete, may be
 * repeated, and may arrive without a netns ({@code netns} null: the namespace is gone) or without
 * {@code conf.prevResult()}. {@code queued} is true when it comes from the shim's on-disk deletion queue (the agent
 * was down when the runtime called DEL).
 */
public record DelRequest(Attachment attachment, Path netns, CniArgs args, NetConf conf, boolean queued) {
    public DelRequest {
        Objects.requireNonNull(attachment, "attachment");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(conf, "conf");
    }
}
