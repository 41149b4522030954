package io.twill.bpf;

import io.twill.bpf.internal.ErrorText;
import io.twill.bpf.internal.PrintBridge;

/** The {@link BpfException}s for failed calls, with the hint for the errno and what libbpf printed meanwhile. */
final class Failures {
    private Failures() {}

    /** The exception for a failed call returning {@code rc} (negative errno); drains libbpf's captured lines. */
    static BpfException fail(String op, String object, int rc) {
        return new BpfException(op, object, Math.abs(rc), ErrorText.hint(rc), PrintBridge.drain());
    }

    /** Same with an explanation of our own (the hint for EPERM is added too). */
    static BpfException fail(String op, String object, int rc, String detail) {
        String h = ErrorText.hint(rc);
        return new BpfException(op, object, Math.abs(rc), h == null ? detail : detail + "; " + h, PrintBridge.drain());
    }

    /** For the hot map operations, which print nothing: no drain. */
    static BpfException failQuiet(String op, String object, int rc) {
        return new BpfException(op, object, Math.abs(rc), ErrorText.hint(rc), "");
    }
}
