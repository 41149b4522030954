package io.twill.cni;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** What the plugin prints on stdout and the exit code it ends with. */
public record CniResponse(int exitCode, byte[] stdout) {
    public CniResponse {
        if (exitCode < 0 || exitCode > 255) throw new IllegalArgumentException("exit code " + exitCode + " out of range");
        stdout = Objects.requireNonNull(stdout, "stdout").clone();
    }

    public static CniResponse success(String stdout) {
        return new CniResponse(0, stdout.getBytes(StandardCharsets.UTF_8));
    }

    public static CniResponse empty() {
        return new CniResponse(0, new byte[0]);
    }

    @Override
    public byte[] stdout() { return stdout.clone(); }

    public String stdoutText() { return new String(stdout, StandardCharsets.UTF_8); }

    @Override
    public String toString() {
        return "exit " + exitCode + (stdout.length == 0 ? "" : ": " + stdoutText().strip());
    }
}
