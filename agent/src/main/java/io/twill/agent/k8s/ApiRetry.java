package io.twill.agent.k8s;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Runs a Kubernetes API call until it succeeds, sleeping with {@link Backoff} between failures and logging each
 * one with the HTTP code and the API server's message. Never gives up (the agent cannot work without its
 * TwillNode); an interrupt ends it.
 */
final class ApiRetry {
    private static final Logger log = LoggerFactory.getLogger(ApiRetry.class);

    private final Backoff backoff;

    ApiRetry(Backoff backoff) {
        this.backoff = backoff;
    }

    /**
     * Calls {@code call} until it returns. {@link KubernetesClientException}s are retried; anything else is a bug
     * and propagates.
     */
    <T> T call(String op, String node, Supplier<T> call) throws InterruptedException {
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                T t = call.get();
                backoff.reset();
                return t;
            } catch (KubernetesClientException e) {
                Duration d = backoff.next();
                failed(op, node, attempt, d, e);
                Thread.sleep(d);
            }
        }
    }

    static void failed(String op, String node, int attempt, Duration delay, KubernetesClientException e) {
        int code = e.getCode();
        String hint = switch (code) {
            case 401 -> " (the agent's credentials were refused)";
            case 403 -> " (RBAC: the agent's ServiceAccount may not " + op + " twillnodes)";
            case 404 -> " (is the TwillNode CRD installed?)";
            default -> "";
        };
        log.atWarn().addKeyValue(LogFields.OPERATION, op).addKeyValue(LogFields.NODE, node)
                .addKeyValue(LogFields.HTTP_CODE, code).addKeyValue(LogFields.ATTEMPT, attempt)
                .addKeyValue(LogFields.DELAY_MS, delay.toMillis())
                .log("Kubernetes API {} of TwillNode {} failed{}: {}; retrying in {} ms", op, node, hint,
                        message(e), delay.toMillis());
    }

    /** The API server's own message when there is one, else the exception text with its cause. */
    static String message(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return "HTTP " + e.getCode() + " " + e.getStatus().getMessage();
        }
        Throwable c = e.getCause();
        return e.getMessage() + (c != null && c != e ? " (" + c + ")" : "");
    }
}
