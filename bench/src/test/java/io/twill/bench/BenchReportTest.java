package io.twill.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bench/report.py over a real {@code make bench} result (a QUICK run of every benchmark on this machine, kept as
 * {@code quick-run.json}): the Markdown report, the charts and the README block. Ratios, goals and met/missed are
 * recomputed here from the raw figures in the JSON, so the report cannot print a figure it did not derive.
 * Needs Debian's python3 with python3-matplotlib (scripts/deps.sh installs both).
 */
class BenchReportTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path REPORT = Path.of("report.py").toAbsolutePath(); // surefire runs in bench/
    private static final String DATE = "2026-12-05";
    private static JsonNode run;

    @TempDir
    Path dir;

    @BeforeAll
    static void readFixture() throws IOException {
        try (InputStream in = BenchReportTest.class.getResourceAsStream("quick-run.json")) {
            run = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void reportHoldsEveryGoalWithTheRatioOfTheRawFigures() throws Exception {
        Result r = reportOn(run);
        assertThat(r.exit).as("report.py: %s", r.output).isZero();
        String md = Files.readString(dir.resolve(DATE + ".md"));

        JsonNode res = run.get("results");
        int goals = 0, met = 0;
        for (String area : List.of("datapath", "services")) {
            assertThat(res.at("/" + area + "/goals").size()).as("%s goals in the fixture", area).isPositive();
            for (JsonNode g : res.at("/" + area + "/goals")) {
                String t = g.get("twill").asText(), p = g.get("peer").asText(), m = g.get("metric").asText();
                double ratio = res.at("/" + area + "/cases/" + t + "/" + m + "/median").asDouble()
                        / res.at("/" + area + "/cases/" + p + "/" + m + "/median").asDouble();
                boolean ok = ratio >= g.get("goal").asDouble();
                assertThat(md).contains(String.format(Locale.ROOT, "| %s | %s vs %s: %s | **%.2fx** | ≥ %s | %s |", area, t,
                        p, m, ratio, trim(g.get("goal").asDouble()) + "x", ok ? "met" : "**missed**"));
                goals++;
                if (ok) met++;
            }
        }
        // Connection tracking and NAT against the datapath before them, and Twill at 10,000 Services against 1.
        assertThat(md).contains("| datapath | twill-same-node vs twill-same-node-noct: udp64_pps |",
                "| services | twill-svc-10000 vs iptables-svc-10000: crr_tps |",
                "| services | twill-svc-10000 vs twill-svc-1: crr_tps |");
        for (String verb : List.of("ADD", "DEL")) {
            double ratio = res.at("/cni/sequential/" + verb + "/twill/pod/p50_ms").asDouble()
                    / res.at("/cni/sequential/" + verb + "/reference/pod/p50_ms").asDouble();
            assertThat(md).contains(String.format(Locale.ROOT, "| cni | %s p50, loopback+twill-cni vs loopback+bridge+host-local | **%.2fx** | ≤ 1x | %s |",
                    verb, ratio, ratio <= 1 ? "met" : "**missed**"));
            goals++;
            if (ratio <= 1) met++;
        }
        double maps = res.at("/maps/operations/batch_update/java/median").asDouble()
                / res.at("/maps/operations/batch_update/c/median").asDouble();
        assertThat(md).contains(String.format(Locale.ROOT, "| maps | batch update, bpf-loader (Java) vs C libbpf | **%.2fx** | ≥ 0.8x |", maps));
        double rss = res.at("/agent_scale/summary/rss_mib").asDouble();
        assertThat(md).contains(String.format(Locale.ROOT, "| agent | RSS with %d endpoints and %d remote nodes vs the 200 MiB goal | **%.2fx** | ≤ 1x |",
                res.at("/agent_scale/pods").asInt(), res.at("/agent_scale/nodes").asInt(), rss / 200));
        double op = res.at("/operator/operator/median_ms").asDouble() / 10_000;
        assertThat(md).contains(String.format(Locale.ROOT, "vs the 10 s goal | **%.2fx** | ≤ 1x |", op));
        double scale = res.at("/services_scale/summary/maps_seconds_median").asDouble() / 5;
        assertThat(md).contains(String.format(Locale.ROOT, "| agent | %d Services x %d backends, API to maps vs the 5 s goal | **%.2fx** | ≤ 1x |",
                res.at("/services_scale/services").asInt(), res.at("/services_scale/backends_per_service").asInt(), scale));
        goals += 4;
        met += (maps >= 0.8 ? 1 : 0) + (rss <= 200 ? 1 : 0) + (op <= 1 ? 1 : 0) + (scale <= 1 ? 1 : 0);
        assertThat(md).contains("## Goals: " + met + " of " + goals + " met");
        assertThat(md).contains("QUICK run").contains(run.at("/machine/kernel").asText());

        // Every chart the Markdown names exists and is a PNG.
        for (String chart : List.of("datapath", "latency", "services", "cni", "maps", "agent", "services-scale")) {
            String file = DATE + "-" + chart + ".png";
            assertThat(md).contains("(" + file + ")");
            byte[] head = Files.readAllBytes(dir.resolve(file));
            assertThat(head).hasSizeGreaterThan(5_000).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        }
    }

    @Test
    void aMissCloseToTheGoalIsNotRoundedOntoIt() throws Exception {
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) run.deepCopy();
        var goal = (com.fasterxml.jackson.databind.node.ObjectNode) doc.at("/results/datapath/goals/1");
        assertThat(goal.get("peer").asText()).isEqualTo("raw-veth");
        goal.put("ratio_of_medians", 0.9466).put("met", false);
        Result r = reportOn(doc);
        assertThat(r.exit).as("report.py: %s", r.output).isZero();
        assertThat(Files.readString(dir.resolve(DATE + ".md")))
                .contains("| datapath | twill-same-node vs raw-veth: udp64_pps | **0.947x** | ≥ 0.95x | **missed** |");
    }

    @Test
    void onlyTheBenchmarksThatRanAreReported() throws Exception {
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) run.deepCopy();
        var results = (com.fasterxml.jackson.databind.node.ObjectNode) doc.get("results");
        results.retain("cni");
        Result r = reportOn(doc);
        assertThat(r.exit).as("report.py: %s", r.output).isZero();
        String md = Files.readString(dir.resolve(DATE + ".md"));
        assertThat(md).contains("## Goals: 2 of 2 met").contains("## CNI ADD/DEL")
                .doesNotContain("## Datapath", "## Agent at scale", "## Services", "## Agent: Services at scale");
        assertThat(dir.resolve(DATE + "-cni.png")).exists();
        assertThat(dir.resolve(DATE + "-datapath.png")).doesNotExist();
    }

    @Test
    void readmeBlockIsReplacedAndTheRestKept() throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# T\n\nbefore\n<!-- bench:begin -->\nold figures\n<!-- bench:end -->\nafter\n");
        Result r = reportOn(run, "--readme", readme.toString());
        assertThat(r.exit).as("report.py: %s", r.output).isZero();
        String text = Files.readString(readme);
        assertThat(text).startsWith("# T\n\nbefore\n<!-- bench:begin -->\nLatest run (" + DATE)
                .endsWith("<!-- bench:end -->\nafter\n").doesNotContain("old figures")
                .contains("| cni | ADD p50, loopback+twill-cni vs loopback+bridge+host-local |");
    }

    @Test
    void readmeWithoutMarkersIsAnErrorNamingThem() throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# no markers\n");
        Result r = reportOn(run, "--readme", readme.toString());
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("has no <!-- bench:begin --> ... <!-- bench:end --> block");
        assertThat(Files.readString(readme)).isEqualTo("# no markers\n");
    }


    private static String trim(double goal) {
        return goal == Math.rint(goal) ? Long.toString((long) goal) : Double.toString(goal);
    }

    record Result(int exit, String output) {}

    /** Writes {@code doc} as {@code <dir>/<date>.json} and runs report.py on it. */
    private Result reportOn(JsonNode doc, String... more) throws IOException, InterruptedException {
        Path json = dir.resolve(DATE + ".json");
        new ObjectMapper().writeValue(json.toFile(), doc);
        assertThat(PYTHON).as("Debian's python3 (apt-get install python3 python3-matplotlib; scripts/deps.sh does it)").exists();
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), REPORT.toString(), json.toString()));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("report.py finished").isTrue();
        return new Result(p.exitValue(), out);
    }
}
