package io.twill.bpf;

/** The {@code flags} of {@code bpf_map_update_elem}: create or replace, create only, replace only. */
public enum UpdateFlag {
    /** BPF_ANY: create a new element or update an existing one. */
    ANY(0),
    /** BPF_NOEXIST: create only; an existing key is a {@link KeyExistsException}. */
    NOEXIST(1),
    /** BPF_EXIST: update only; a missing key is a {@link BpfException} with ENOENT. */
    EXIST(2);

    private final long value;

    UpdateFlag(long value) {
        this.value = value;
    }

    /** The kernel's value (BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2). */
    public long value() { return value; }
}
