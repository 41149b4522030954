package io.twill.bench.cni;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the agent's own view of CNI time from its Prometheus endpoint: {@code twill_cni_request_duration_seconds}
 * (sum and count per verb, outcome ok) measures from the decoded request to the encoded answer inside the agent, so
 * the external time minus this is the shim's exec, the socket round trip and the frame handling.
 */
final class AgentMetrics {
    private static final Pattern LINE = Pattern.compile(
            "^twill_cni_request_duration_seconds_(sum|count)\\{([^}]*)}\\s+(\\S+)$");
    private static final Pattern ENDPOINTS = Pattern.compile("^twill_endpoint_count\\s+(\\S+)$");

    /** Sum (seconds) and count of successful calls of one verb. */
    record Verb(double sum, long count) {
        Verb minus(Verb before) {
            return new Verb(sum - before.sum, count - before.count);
        }

        double meanMillis() {
            return count == 0 ? Double.NaN : sum / count * 1e3;
        }
    }

    /** One scrape: per verb, and the endpoint gauge. */
    record Snapshot(Map<String, Verb> verbs, double endpoints) {
        Verb verb(String v) {
            return verbs.getOrDefault(v, new Verb(0, 0));
        }
    }

    private final URI uri;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AgentMetrics(URI uri) {
        this.uri = uri;
    }

    Snapshot scrape() {
        String body;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("GET " + uri + ": HTTP " + r.statusCode());
            body = r.body();
        } catch (IOException e) {
            throw new IllegalStateException("cannot scrape the agent at " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, double[]> acc = new HashMap<>();
        double endpoints = Double.NaN;
        for (String line : body.lines().toList()) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                Map<String, String> labels = labels(m.group(2));
                if (!"ok".equals(labels.get("outcome"))) continue;
                double[] sc = acc.computeIfAbsent(labels.get("verb").toUpperCase(java.util.Locale.ROOT), k -> new double[2]);
                sc[m.group(1).equals("sum") ? 0 : 1] += Double.parseDouble(m.group(3));
                continue;
            }
            Matcher e = ENDPOINTS.matcher(line);
            if (e.matches()) endpoints = Double.parseDouble(e.group(1));
        }
        Map<String, Verb> verbs = new HashMap<>();
        acc.forEach((v, sc) -> verbs.put(v, new Verb(sc[0], (long) sc[1])));
        return new Snapshot(verbs, endpoints);
    }

    private static Map<String, String> labels(String s) {
        Map<String, String> out = new HashMap<>();
        for (String kv : s.split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) out.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip().replace("\"", ""));
        }
        return out;
    }
}
