package io.twill.bpf;

import java.nio.file.Path;

/**
 * How {@link Tc#attach} attaches: the mechanism, what closing the owner does, where a TCX link is pinned (so a
 * restarted process can adopt and update it), and the cls_bpf filter's handle and priority. With a pin or
 * {@code replaceExisting}, attaching is idempotent: what is there is adopted and atomically given the new program.
 *
 * @param mode            AUTO, TCX or CLS_BPF
 * @param onClose         DETACH or KEEP
 * @param linkPin         bpffs path for the TCX link, or null (required for KEEP unless mode is CLS_BPF)
 * @param handle          cls_bpf filter handle (> 0)
 * @param priority        cls_bpf filter priority (1..65535)
 * @param replaceExisting cls_bpf: replace a filter already at handle/priority (BPF_TC_F_REPLACE) instead of EEXIST
 */
public record TcAttachOptions(TcMode mode, OnClose onClose, Path linkPin, int handle, int priority,
                              boolean replaceExisting) {
    public TcAttachOptions {
        if (mode == null) throw new IllegalArgumentException("mode is required");
        if (onClose == null) throw new IllegalArgumentException("onClose is required");
        if (handle <= 0) throw new IllegalArgumentException("cls_bpf handle must be > 0, got " + handle);
        if (priority < 1 || priority > 0xffff) throw new IllegalArgumentException("cls_bpf priority must be 1..65535, got " + priority);
        if (onClose == OnClose.KEEP && mode != TcMode.CLS_BPF && linkPin == null) {
            throw new IllegalArgumentException("a TCX link outlives its owner only when pinned: set linkPin, or use mode CLS_BPF");
        }
    }

    /** AUTO, DETACH on close, no pin, handle 1, priority 1, replace an existing filter. */
    public static TcAttachOptions defaults() {
        return new TcAttachOptions(TcMode.AUTO, OnClose.DETACH, null, 1, 1, true);
    }

    public TcAttachOptions withMode(TcMode m) {
        return new TcAttachOptions(m, onClose, linkPin, handle, priority, replaceExisting);
    }

    /** Leave attached on close; with AUTO/TCX this needs {@link #withLinkPin} first. */
    public TcAttachOptions withOnClose(OnClose o) {
        return new TcAttachOptions(mode, o, linkPin, handle, priority, replaceExisting);
    }

    public TcAttachOptions withLinkPin(Path pin) {
        return new TcAttachOptions(mode, onClose, pin, handle, priority, replaceExisting);
    }

    public TcAttachOptions withHandleAndPriority(int h, int prio) {
        return new TcAttachOptions(mode, onClose, linkPin, h, prio, replaceExisting);
    }

    public TcAttachOptions withReplaceExisting(boolean replace) {
        return new TcAttachOptions(mode, onClose, linkPin, handle, priority, replace);
    }
}
