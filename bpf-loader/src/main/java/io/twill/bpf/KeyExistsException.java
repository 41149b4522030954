package io.twill.bpf;

/** {@code update(…, UpdateFlag.NOEXIST)} found the key already present (EEXIST). */
public final class KeyExistsException extends BpfException {
    public KeyExistsException(String op, String map) {
        super(op, map, io.twill.types.Errno.EEXIST, "the key is already present and NOEXIST was asked", "");
    }

    KeyExistsException(String message, String op, String map) {
        super(message, op, map, io.twill.types.Errno.EEXIST, "");
    }
}
