package io.twill.bpf;

/**
 * A BPF program attached to a network device's TC hook, owned by this object: either a TCX link
 * ({@link TcxAttachment}) or a cls_bpf filter ({@link ClsBpfAttachment}). {@link #replace} swaps the program
 * atomically (no packet sees no program); {@link #detach} removes it from the kernel; {@link #close} releases the
 * owner and, depending on {@link #onClose()}, detaches or leaves the program running. Both are idempotent.
 */
public sealed interface TcAttachment extends AutoCloseable permits TcxAttachment, ClsBpfAttachment {
    /** The mechanism. */
    enum Kind { TCX, CLS_BPF }

    Kind kind();

    /** The device's index in the network namespace the attachment was made in. */
    int ifindex();

    TcDirection direction();

    OnClose onClose();

    /** The id of the program the kernel runs there now (queried). */
    int programId();

    /** Atomically replaces the attached program with {@code program}. */
    void replace(BpfProgram program);

    /** Removes the attachment from the kernel (idempotent). */
    void detach();

    /** Releases the owner; detaches when {@link #onClose()} is DETACH. Idempotent. */
    @Override
    void close();
}
