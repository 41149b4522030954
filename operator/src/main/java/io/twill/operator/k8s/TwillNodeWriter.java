package io.twill.operator.k8s;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCondition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's writes to one TwillNode: spec.ipam.podCIDRs (a JSON merge patch guarded by the resourceVersion
 * the decision was made on, so a stale read can never overwrite a newer value), the {@code PodCIDRAllocated}
 * condition on the status subresource (other writers' conditions kept; retried on conflict), and a Warning Event
 * when the condition turns False for a new reason. Thread-safe; blocking.
 */
public final class TwillNodeWriter {

    private static final Logger log = LoggerFactory.getLogger(TwillNodeWriter.class);
    private static final int STATUS_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final String eventNamespace;
    private final String identity;
    private final AtomicLong eventSeq = new AtomicLong();

    public TwillNodeWriter(KubernetesClient client, String eventNamespace, String identity) {
        this.client = client;
        this.eventNamespace = eventNamespace;
        this.identity = identity;
    }

    /**
     * Makes {@code seen} (as read from the cache; not modified) carry {@code podCidrs} (null: leave the spec alone)
     * and {@code condition} (null: leave the status alone).
     *
     * @return number of API calls made
     * @throws WriteException when the spec write conflicts, the object is gone, or the API fails
     */
    public int apply(TwillNode seen, List<String> podCidrs, TwillNodeCondition condition) {
        String name = seen.nodeName();
        int calls = 0;
        TwillNode current = seen;
        if (podCidrs != null) {
            Map<String, Object> patch = Map.of(
                    "metadata", Map.of("resourceVersion", seen.getMetadata().getResourceVersion()),
                    "spec", Map.of("ipam", Map.of("podCIDRs", podCidrs)));
            calls++;
            // resource(seen).patch sends one PATCH; withName(name).patch would GET the object first
            current = call("patch spec.ipam.podCIDRs", name, () -> client.resources(TwillNode.class).resource(seen)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch)));
        }
        if (condition == null) {
            return calls;
        }
        TwillNodeCondition before = current.getStatus().condition(TwillNodeCondition.POD_CIDR_ALLOCATED).orElse(null);
        for (int attempt = 1; !condition.sameAs(before); attempt++) {
            TwillNode copy = new TwillNode();
            copy.setMetadata(new ObjectMetaBuilder(current.getMetadata()).build());
            copy.setSpec(current.getSpec());
            copy.setStatus(current.getStatus().withCondition(condition));
            calls++;
            try {
                call("update status", name, () -> client.resources(TwillNode.class).resource(copy).updateStatus());
                break;
            } catch (WriteException e) {
                if (e.kind() != WriteException.Kind.CONFLICT || attempt == STATUS_ATTEMPTS) {
                    throw e;
                }
                calls++;
                current = call("get", name, () -> client.resources(TwillNode.class).withName(name).get());
                if (current == null) {
                    throw new WriteException(WriteException.Kind.GONE, "TwillNode " + name + " is gone", null);
                }
                before = current.getStatus().condition(TwillNodeCondition.POD_CIDR_ALLOCATED).orElse(null);
            }
        }
        if (!condition.isTrue() && !condition.sameAs(before) && (before == null
                || !Objects.equals(before.status(), condition.status()) || !Objects.equals(before.reason(), condition.reason()))) {
            calls++;
            event(current, condition.reason(), condition.message());
        }
        return calls;
    }

    /** Records a Warning Event about {@code node}; failures are logged, never thrown (events are best effort). */
    public void event(TwillNode node, String reason, String message) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String stamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
        Event e = new EventBuilder()
                .withNewMetadata().withNamespace(eventNamespace)
                .withName(node.nodeName() + "." + Long.toHexString(System.currentTimeMillis()) + eventSeq.incrementAndGet())
                .endMetadata()
                .withNewInvolvedObject().withApiVersion(TwillNode.API_VERSION).withKind(TwillNode.KIND)
                .withName(node.nodeName()).withUid(node.getMetadata().getUid())
                .withResourceVersion(node.getMetadata().getResourceVersion()).endInvolvedObject()
                .withType("Warning").withReason(reason).withMessage(message)
                .withNewSource().withComponent("twill-operator").endSource()
                .withReportingComponent("twill.io/operator").withReportingInstance(identity)
                .withAction("AllocatePodCIDR")
                .withFirstTimestamp(stamp).withLastTimestamp(stamp).withEventTime(new MicroTime(now.toString())).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(eventNamespace).resource(e).create();
        } catch (KubernetesClientException ex) {
            log.warn("Could not record Event {} for TwillNode {}: {}", reason, node.nodeName(), ex.getMessage());
        }
    }

    /** Deletes a TwillNode by name; false when it was already gone. */
    public boolean delete(String name) {
        return !call("delete", name, () -> client.resources(TwillNode.class).withName(name).delete()).isEmpty();
    }

    private static <T> T call(String op, String name, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            WriteException.Kind kind = switch (e.getCode()) {
                case 409 -> WriteException.Kind.CONFLICT;
                case 404 -> WriteException.Kind.GONE;
                default -> WriteException.Kind.FAILED;
            };
            String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getMessage();
            throw new WriteException(kind, op + " TwillNode " + name + ": HTTP " + e.getCode() + " " + detail, e);
        }
    }
}
