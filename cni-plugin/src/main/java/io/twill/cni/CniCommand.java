package io.twill.cni;

import java.util.Optional;

/** The operations of CNI spec 1.1.0, as passed in {@code CNI_COMMAND}. */
public enum CniCommand {
    ADD, DEL, CHECK, STATUS, GC, VERSION;

    /** Exact, case-sensitive match as the spec writes them; empty for anything else. */
    public static Optional<CniCommand> parse(String text) {
        for (CniCommand c : values()) {
            if (c.name().equals(text)) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** Whether this command works on one attachment (and so needs CNI_CONTAINERID and CNI_IFNAME). */
    public boolean perAttachment() {
        return this == ADD || this == DEL || this == CHECK;
    }
}
