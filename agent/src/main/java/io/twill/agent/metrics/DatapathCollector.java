package io.twill.agent.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.twill.maps.MapEntry;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;
import io.twill.maps.metrics.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The datapath's {@code twill_metrics} map as four counter families, read once per scrape:
 * {@code twill_forward_count_total{direction}}, {@code twill_forward_bytes_total{direction}},
 * {@code twill_drop_count_total{reason,direction}}, {@code twill_drop_bytes_total{reason,direction}}. The reason label
 * is the drop code's human text from the maps module's {@link Reason} table (the one twillctl prints too), so the
 * label set is bounded by that table times five directions.
 *
 * <p>The kernel counters are unsigned 64-bit; a value past 2^63 is exported as its unsigned magnitude (as a double).
 * A failing read is logged (once per distinct message) and exports nothing for that scrape rather than failing it.
 */
final class DatapathCollector implements MultiCollector {
    private static final Logger log = LoggerFactory.getLogger(DatapathCollector.class);

    static final String FORWARD_COUNT = "twill_forward_count";
    static final String FORWARD_BYTES = "twill_forward_bytes";
    static final String DROP_COUNT = "twill_drop_count";
    static final String DROP_BYTES = "twill_drop_bytes";

    private final Supplier<List<MapEntry<MetricsKey, MetricsValue>>> source;
    private volatile String lastError;

    DatapathCollector(Supplier<List<MapEntry<MetricsKey, MetricsValue>>> source) {
        this.source = source;
    }

    @Override
    public MetricSnapshots collect() {
        List<MapEntry<MetricsKey, MetricsValue>> entries;
        try {
            entries = source.get();
            lastError = null;
        } catch (RuntimeException e) {
            String msg = e.toString();
            if (!msg.equals(lastError)) {
                lastError = msg;
                log.warn("Cannot read twill_metrics for a scrape: {}", msg);
            }
            entries = List.of();
        }
        // Sum per label set: an unknown future reason code maps to one "Unknown reason" series.
        Map<Labels, double[]> forward = new TreeMap<>();
        Map<Labels, double[]> drop = new TreeMap<>();
        for (MapEntry<MetricsKey, MetricsValue> e : entries) {
            MetricsKey k = e.key();
            String dir = k.direction().label();
            boolean fwd = k.reason() == Reason.FORWARDED;
            Labels labels = fwd ? Labels.of("direction", dir)
                    : Labels.of("direction", dir, "reason", k.reason().description());
            double[] acc = (fwd ? forward : drop).computeIfAbsent(labels, l -> new double[2]);
            acc[0] += unsigned(e.value().packets());
            acc[1] += unsigned(e.value().bytes());
        }
        return MetricSnapshots.of(
                counter(FORWARD_COUNT, "Packets forwarded by the datapath, by direction", forward, 0),
                counter(FORWARD_BYTES, "Bytes forwarded by the datapath, by direction", forward, 1),
                counter(DROP_COUNT, "Packets dropped by the datapath, by reason and direction", drop, 0),
                counter(DROP_BYTES, "Bytes dropped by the datapath, by reason and direction", drop, 1));
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(FORWARD_COUNT, FORWARD_BYTES, DROP_COUNT, DROP_BYTES);
    }

    private static CounterSnapshot counter(String name, String help, Map<Labels, double[]> values, int index) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        values.forEach((labels, v) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(labels)
                .value(v[index]).build()));
        return b.build();
    }

    static double unsigned(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }
}
