package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prometheus's HTTP API (/api/v1) on a loopback port; an expression Prometheus refuses fails the test with its error. */
final class PrometheusApi {
    private final int port;

    PrometheusApi(int port) {
        this.port = port;
    }

    /** The result of an instant query at the server's current time (data.result). */
    JsonNode query(String expr) {
        return data("/api/v1/query?query=" + encode(expr), expr).path("result");
    }

    /** The series of a range query (data.result, each with "metric" and "values"). */
    JsonNode queryRange(String expr, Instant start, Instant end, Duration step) {
        return data("/api/v1/query_range?query=" + encode(expr) + "&start=" + seconds(start) + "&end=" + seconds(end)
                + "&step=" + step.toMillis() / 1000.0, expr).path("result");
    }

    /** The loaded rule groups, each rule with its health and last error (data.groups). */
    JsonNode ruleGroups() {
        return data("/api/v1/rules", "the rules").path("groups");
    }

    boolean ready() {
        try {
            return Http.get(url("/-/ready")).statusCode() == 200;
        } catch (java.io.UncheckedIOException notListeningYet) {
            return false;
        }
    }

    /** A series' labels as a map. */
    static Map<String, String> labels(JsonNode series) {
        Map<String, String> labels = new LinkedHashMap<>();
        series.path("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    private JsonNode data(String pathAndQuery, String what) {
        JsonNode answer = TestJson.parse(Http.get(url(pathAndQuery)).body());
        if (!answer.path("status").asText().equals("success")) {
            return fail("Prometheus refused " + what + ": " + answer.path("errorType").asText() + ": " + answer.path("error").asText());
        }
        return answer.path("data");
    }

    private String url(String pathAndQuery) {
        return "http://127.0.0.1:" + port + pathAndQuery;
    }

    private static String seconds(Instant t) {
        return String.valueOf(t.toEpochMilli() / 1000.0);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
