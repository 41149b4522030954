package io.twill.bpf;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program on a device's TCX hook, held by a {@link BpfLink}. With a pin path it survives the process: attaching
 * again with the same pin adopts the pinned link and atomically updates its program, which is how a restarted agent
 * takes over without a gap.
 */
public final class TcxAttachment implements TcAttachment {
    private static final Logger log = LoggerFactory.getLogger(TcxAttachment.class);

    private final BpfLink link;
    private final int ifindex;
    private final TcDirection direction;
    private final OnClose onClose;
    private volatile boolean detached;
    private volatile boolean closed;

    private TcxAttachment(BpfLink link, int ifindex, TcDirection direction, OnClose onClose) {
        this.link = link;
        this.ifindex = ifindex;
        this.direction = direction;
        this.onClose = onClose;
    }

    /**
     * Attaches {@code program}; when {@code pin} names an existing pinned link for this device and direction, that
     * link is adopted and updated instead, else a new link is made and pinned there (if {@code pin} is non-null).
     */
    public static TcxAttachment attach(int ifindex, TcDirection direction, BpfProgram program, Path pin, OnClose onClose) {
        if (onClose == OnClose.KEEP && pin == null) {
            throw new IllegalArgumentException("a TCX link outlives its owner only when pinned: give a pin path");
        }
        if (pin != null && Files.exists(pin)) {
            TcxAttachment adopted = adopt(pin, onClose);
            if (adopted.ifindex != ifindex || adopted.direction != direction) {
                adopted.link.close();
                throw new IllegalStateException("the link pinned at " + pin + " is on ifindex " + adopted.ifindex
                        + " " + adopted.direction + ", not ifindex " + ifindex + " " + direction);
            }
            adopted.replace(program);
            log.debug("adopted TCX link {} and updated it to {}", pin, program.name());
            return adopted;
        }
        BpfLink link = BpfLink.tcx(ifindex, direction, program);
        try {
            if (pin != null) link.pin(pin);
        } catch (RuntimeException e) {
            link.close(); // unpinned: closing detaches
            throw e;
        }
        log.debug("attached {} to ifindex {} {} with TCX link{}", program.name(), ifindex, direction,
                pin != null ? " pinned at " + pin : "");
        return new TcxAttachment(link, ifindex, direction, onClose);
    }

    /** Adopts the TCX link pinned at {@code pin}. */
    public static TcxAttachment adopt(Path pin, OnClose onClose) {
        BpfLink link = BpfLink.openPinned(pin);
        try {
            BpfLink.Info info = link.info();
            if (info.type() != BpfLink.TYPE_TCX) {
                throw new IllegalStateException("the link pinned at " + pin + " is a " + info.typeName() + " link, not tcx");
            }
            return new TcxAttachment(link, info.ifindex(), TcDirection.ofTcxAttachType(info.attachType()), onClose);
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    @Override public Kind kind() { return Kind.TCX; }

    @Override public int ifindex() { return ifindex; }

    @Override public TcDirection direction() { return direction; }

    @Override public OnClose onClose() { return onClose; }

    /** The link (for its id, pin, info). */
    public BpfLink link() { return link; }

    @Override
    public int programId() { return link.info().programId(); }

    @Override
    public void replace(BpfProgram program) {
        if (detached || closed) throw new IllegalStateException("TCX attachment on ifindex " + ifindex + " is detached or closed");
        link.update(program);
    }

    /** Detaches the program, removes the pin and closes the link. */
    @Override
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

    @Override
    public void close() {
        if (closed) return;
        if (onClose == OnClose.DETACH) detach();
        closed = true;
        link.close();
    }

    @Override
    public String toString() {
        return "tcx on ifindex " + ifindex + " " + direction + " (" + link + ", on close " + onClose + ")";
    }
}
