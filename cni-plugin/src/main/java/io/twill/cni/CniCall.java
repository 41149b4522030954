package io.twill.cni;

import java.time.Duration;

/**
 * One finished CNI call, for metrics ({@link CniListener}).
 *
 * @param command the verb, or null when CNI_COMMAND was missing or unknown
 * @param code    0 on success, otherwise the CNI error code printed
 * @param elapsed time spent in the engine (parsing, backend, printing)
 * @param queued  the call came from the shim's deletion queue rather than a live runtime
 */
public record CniCall(CniCommand command, int code, Duration elapsed, boolean queued) {
    public boolean succeeded() { return code == 0; }

    /** A low-cardinality label for the outcome: "ok" or "error_&lt;code&gt;". */
    public String outcome() { return code == 0 ? "ok" : "error_" + code; }
}
