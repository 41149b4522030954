package io.twill.bpf;

/** What closing an attachment's Java owner does to the attachment in the kernel. */
public enum OnClose {
    /** Remove the program from the hook (and unpin a pinned TCX link). */
    DETACH,
    /**
     * Leave the program attached: cls_bpf filters stay; TCX links stay only when pinned (the pin holds them).
     * This is how the agent keeps traffic flowing across its own restarts.
     */
    KEEP
}
