package io.twill.datapath;

import io.twill.maps.events.DatapathEvent;
import io.twill.maps.events.EventReader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Collects twill_events in a test: poll until an event matches or the time is up. */
final class Events implements AutoCloseable {
    private final List<DatapathEvent> seen = new ArrayList<>();
    private final EventReader reader;

    Events(Datapath dp) {
        this.reader = dp.openEvents(seen::add);
    }

    <T extends DatapathEvent> Optional<T> await(Class<T> type, Predicate<T> match, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        int checked = 0;
        while (true) {
            for (; checked < seen.size(); checked++) {
                DatapathEvent e = seen.get(checked);
                if (type.isInstance(e) && match.test(type.cast(e))) return Optional.of(type.cast(e));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return Optional.empty();
            reader.poll(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
        }
    }

    List<DatapathEvent> seen() {
        reader.consume();
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        reader.close();
    }
}
