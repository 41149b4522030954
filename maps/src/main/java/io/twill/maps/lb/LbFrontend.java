package io.twill.maps.lb;

import java.util.List;
import java.util.Objects;

/**
 * A whole frontend of {@code twill_lb_services} as the agent writes it and twillctl shows it: slot 0 and the backend
 * ids of slots 1..count, in slot order.
 *
 * @param key        slot 0 of the frontend
 * @param service    the slot-0 value
 * @param backendIds the backend ids of slots 1..{@code service.count()}; a slot the map lacks reads as 0
 */
public record LbFrontend(LbKey key, LbService service, List<Long> backendIds) {
    public LbFrontend {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(service, "service");
        backendIds = List.copyOf(backendIds);
        if (key.slot() != 0) throw new IllegalArgumentException("frontend " + key + ": the key must be slot 0");
    }

    @Override
    public String toString() {
        return key.frontendString() + " " + service + " backends=" + backendIds;
    }
}
