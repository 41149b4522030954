package io.twill.maps;

import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.events.DatapathEvent;
import io.twill.maps.events.TracePoint;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.Reason;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java enums and constants carry the numbers of the C headers in bpf-src/src/lib (read from the source tree). */
class DatapathCodesMatchHeadersTest {
    private static final Path LIB = Path.of("..", "bpf-src", "src", "lib");
    private static final Pattern ENUMERATOR = Pattern.compile("^\\s*([A-Z][A-Z0-9_]*)\\s*=\\s*(\\d+)\\s*,", Pattern.MULTILINE);
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+([A-Z][A-Z0-9_]*)\\s+(0x[0-9a-fA-F]+|\\d+)\\b", Pattern.MULTILINE);

    static Map<String, Integer> constants(String header) throws IOException {
        String text = Files.readString(LIB.resolve(header));
        Map<String, Integer> out = new HashMap<>();
        Matcher m = ENUMERATOR.matcher(text);
        while (m.find()) out.put(m.group(1), Integer.decode(m.group(2)));
        m = DEFINE.matcher(text);
        while (m.find()) out.put(m.group(1), Integer.decode(m.group(2)));
        return out;
    }

    @Test
    void reasonsAndDirections() throws IOException {
        Map<String, Integer> c = constants("drop.h");
        for (Reason r : Reason.values()) {
            if (r == Reason.UNKNOWN) continue;
            assertThat(c.get(r.cName())).as(r.cName()).isEqualTo(r.code());
        }
        assertThat(c.get("REASON_MAX")).as("every C reason has a Java constant").isEqualTo(Reason.values().length - 1);
        assertThat(c.get("DROP_NO_SERVICE_BACKEND")).isEqualTo(Reason.NO_SERVICE_BACKEND.code()).isEqualTo(11);
        assertThat(Reason.of(c.get("DROP_FRAGMENT"))).isEqualTo(Reason.FRAGMENT);
        for (Direction d : Direction.values()) assertThat(c.get(d.cName())).as(d.cName()).isEqualTo(d.code());
        assertThat(c.get("DIR_MAX")).isEqualTo(Direction.values().length);
    }

    @Test
    void eventTypesAndTracePoints() throws IOException {
        Map<String, Integer> c = constants("events.h");
        assertThat(c.get("EVENT_DROP")).isEqualTo(DatapathEvent.TYPE_DROP);
        assertThat(c.get("EVENT_TRACE")).isEqualTo(DatapathEvent.TYPE_TRACE);
        for (TracePoint p : TracePoint.values()) {
            if (p == TracePoint.UNKNOWN) continue;
            assertThat(c.get(p.cName())).as(p.cName()).isEqualTo(p.code());
        }
    }

    @Test
    void metricsIndexSlots() throws IOException {
        Map<String, Integer> c = constants("metrics.h");
        assertThat(c.get("METRICS_REASON_SLOTS")).isEqualTo(MetricsKey.REASON_SLOTS);
        assertThat(c.get("METRICS_DIR_SLOTS")).isEqualTo(MetricsKey.DIR_SLOTS);
        assertThat(Files.readString(LIB.resolve("metrics.h"))).contains("(__u32)dir * METRICS_REASON_SLOTS + reason");
    }

    @Test
    void endpointFlags() throws IOException {
        assertThat(constants("endpoints.h").get("ENDPOINT_F_HOST")).isEqualTo(EndpointInfo.F_HOST);
    }
}
