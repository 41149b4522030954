package io.twill.bpf;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A program on a cgroup hook, held by a {@link BpfLink}. With a pin path it survives the process: attaching again
 * with the same pin adopts the pinned link and swaps its program atomically ({@code bpf_link_update}), so a restarted
 * agent replaces its socket hooks without a moment where sockets go untranslated. A pin whose cgroup has been removed
 * (the kernel then reports cgroup id 0) is stale: it is dropped and a new link made.
 */
public final class CgroupAttachment implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CgroupAttachment.class);

    private final BpfLink link;
    private final long cgroupId;
    private final CgroupAttachType type;
    private final OnClose onClose;
    private volatile boolean detached;
    private volatile boolean closed;

    private CgroupAttachment(BpfLink link, long cgroupId, CgroupAttachType type, OnClose onClose) {
        this.link = link;
        this.cgroupId = cgroupId;
        this.type = type;
        this.onClose = onClose;
    }

    /**
     * Attaches {@code program} to {@code cgroupDir} at {@code type}; when {@code pin} holds a link for the same cgroup
     * and hook it is adopted and updated to {@code program} instead, else a new link is made and pinned there (if
     * {@code pin} is non-null). A pinned link of another cgroup or hook is an error naming both.
     */
    public static CgroupAttachment attach(BpfProgram program, Path cgroupDir, CgroupAttachType type, Path pin,
                                          OnClose onClose) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(onClose, "onClose");
        if (onClose == OnClose.KEEP && pin == null) {
            throw new IllegalArgumentException("a cgroup link outlives its owner only when pinned: give a pin path");
        }
        long id = cgroupId(cgroupDir);
        if (pin != null && Files.exists(pin)) {
            CgroupAttachment adopted = adopt(pin, onClose);
            if (adopted.cgroupId == 0) {
                log.info("dropping stale cgroup link pin {} (its cgroup was removed)", pin);
                adopted.link.unpin();
                adopted.link.close();
            } else if (adopted.cgroupId != id || adopted.type != type) {
                adopted.link.close();
                throw new IllegalStateException("the link pinned at " + pin + " is on cgroup id " + adopted.cgroupId
                        + " " + adopted.type + ", not " + cgroupDir + " (id " + id + ") " + type);
            } else {
                try {
                    adopted.replace(program);
                } catch (RuntimeException e) {
                    adopted.link.close();
                    throw e;
                }
                log.debug("adopted cgroup link {} and updated it to {}", pin, program.name());
                return adopted;
            }
        }
        BpfLink link = BpfLink.attachCgroup(program, cgroupDir, type);
        try {
            if (pin != null) link.pin(pin);
        } catch (RuntimeException e) {
            link.close(); // unpinned: closing detaches
            throw e;
        }
        log.debug("attached {} to cgroup {} {}{}", program.name(), cgroupDir, type, pin != null ? ", pinned at " + pin : "");
        return new CgroupAttachment(link, id, type, onClose);
    }

    /** Adopts the cgroup link pinned at {@code pin}. */
    public static CgroupAttachment adopt(Path pin, OnClose onClose) {
        BpfLink link = BpfLink.openPinned(pin);
        try {
            BpfLink.Info info = link.info();
            if (info.type() != BpfLink.TYPE_CGROUP) {
                throw new IllegalStateException("the link pinned at " + pin + " is a " + info.typeName() + " link, not cgroup");
            }
            return new CgroupAttachment(link, info.cgroupId(), CgroupAttachType.ofAttachType(info.attachType()), onClose);
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** The id the kernel gives the cgroup v2 directory {@code dir} (its inode number on the cgroup2 filesystem). */
    public static long cgroupId(Path dir) {
        try {
            return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat cgroup " + dir, e);
        }
    }

    public BpfLink link() { return link; }

    /** The cgroup's id (0 when it has been removed since). */
    public long cgroupId() { return cgroupId; }

    public CgroupAttachType type() { return type; }

    public OnClose onClose() { return onClose; }

    /** The id of the program running now. */
    public int programId() { return link.info().programId(); }

    /** Swaps the program atomically. */
    public void replace(BpfProgram program) {
        if (detached || closed) throw new IllegalStateException("cgroup attachment " + this + " is detached or closed");
        link.update(program);
    }

    /** Detaches the program, removes the pin and closes the link. */
    public void detach() {
        if (detached) return;
        detached = true;
        try {
            if (!closed) link.detach();
        } finally {
            link.unpin();
            link.close();
        }
    }

    /** Closes the handle; with {@link OnClose#DETACH} detaches first, with KEEP the pin keeps the program attached. */
    @Override
    public void close() {
        if (closed) return;
        if (onClose == OnClose.DETACH) detach();
        closed = true;
        link.close();
    }

    @Override
    public String toString() {
        return type + " on cgroup id " + cgroupId + " (" + link + ", on close " + onClose + ")";
    }
}
