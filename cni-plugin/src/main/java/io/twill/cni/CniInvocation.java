package io.twill.cni;

import java.util.Map;
import java.util.Objects;

/**
 * One plugin execution as the runtime made it: the CNI_* environment and the bytes on stdin.
 *
 * @param queued true when replayed from the shim's deletion queue
 */
public record CniInvocation(Map<String, String> env, byte[] stdin, boolean queued) {
    public CniInvocation {
        env = Map.copyOf(Objects.requireNonNull(env, "env"));
        stdin = Objects.requireNonNull(stdin, "stdin").clone();
    }

    public CniInvocation(Map<String, String> env, byte[] stdin) {
        this(env, stdin, false);
    }

    @Override
    public byte[] stdin() { return stdin.clone(); }

    /** CNI_CONTAINERID, or "" when unset (STATUS, GC, VERSION): the key requests are ordered by. */
    public String containerId() {
        return env.getOrDefault("CNI_CONTAINERID", "");
    }

    public String command() {
        return env.getOrDefault("CNI_COMMAND", "");
    }
}
