package io.twill.bpf;

import io.twill.bpf.internal.ErrorText;

/** The kernel's verifier rejected a program; the message ends with the tail of the verifier log. */
public final class VerifierException extends BpfException {
    private final String program;
    private final String verifierLog;

    public VerifierException(String object, String program, int errno, String verifierLog, String libbpfLog) {
        super(ErrorText.message("bpf_object__load", object, errno,
                        "the verifier rejected program '" + program + "'; verifier log (tail):\n"
                                + ErrorText.tail(verifierLog, 30), ""),
                "bpf_object__load", object, errno, libbpfLog);
        this.program = program;
        this.verifierLog = verifierLog;
    }

    /** The rejected program's name. */
    public String program() { return program; }

    /** The whole verifier log. */
    public String verifierLog() { return verifierLog; }
}
