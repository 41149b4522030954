package io.twill.cni;

/**
 * Told about every finished CNI call, e.g. so the agent can export {@code twill_cni_request_duration_seconds{verb,
 * outcome}}. Called on the request's thread after the answer is computed; must be fast and must not throw
 * (what it throws is logged and ignored).
 */
@FunctionalInterface
public interface CniListener {
    CniListener NONE = call -> { };

    void completed(CniCall call);
}
