package io.twill.cni;

import java.util.Objects;
import java.util.Set;

/**
 * GC (spec 1.1.0): {@code validAttachments} (from {@code cni.dev/valid-attachments}) lists every attachment of
 * network {@code conf.name()} that is still in use; release resources held for any other attachment of that network,
 * and never touch the listed ones. Keep going past individual failures and report them at the end.
 */
public record GcRequest(NetConf conf, Set<Attachment> validAttachments) {
    public GcRequest {
        Objects.requireNonNull(conf, "conf");
        validAttachments = Set.copyOf(validAttachments);
    }
}
