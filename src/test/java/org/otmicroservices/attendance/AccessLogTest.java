package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The access log: one JSON line per request with the fields and types of the Flask service's gunicorn access log. */
class AccessLogTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    private static final List<String> FIELDS = List.of("timestamp", "levelname", "message", "request", "status_code",
            "method", "remote_address", "duration_ms");

    /** The lines written after `from` characters of the stream, waiting (the log is written asynchronously). */
    private static List<String> linesAfter(int from, int expected) {
        return Poll.until(() -> expected + " access-log lines after character " + from + " of:\n" + app.accessLog(),
                Duration.ofSeconds(5), () -> {
                    String log = app.accessLog().substring(from);
                    List<String> lines = log.isEmpty() ? List.of() : List.of(log.split("\n", -1));
                    // A complete batch ends with a newline: the last element is then "".
                    return lines.size() > expected && lines.get(lines.size() - 1).isEmpty()
                            ? Optional.of(lines.subList(0, lines.size() - 1)) : Optional.empty();
                });
    }

    @Test
    void eachRequestWritesOneJsonLineWithTheFlaskFieldsAndTypes() throws Exception {
        int from = app.accessLog().length();
        double before = System.currentTimeMillis() / 1000.0;
        app.get("/api/v1/attendance/health?verbose=1&x=%20y");
        app.create("log1", "a", "b", "2023-01-01");
        app.get("/nope");
        app.send("HEAD", "/api/v1/attendance/search?id=log1", null, null);
        double after = System.currentTimeMillis() / 1000.0;

        List<String> lines = linesAfter(from, 4);
        assertEquals(4, lines.size(), String.join("\n", lines));
        String[][] expected = {
            {"GET /api/v1/attendance/health?verbose=1&x=%20y HTTP/1.1", "200", "GET"},
            {"POST /api/v1/attendance/create HTTP/1.1", "200", "POST"},
            {"GET /nope HTTP/1.1", "404", "GET"},
            {"HEAD /api/v1/attendance/search?id=log1 HTTP/1.1", "200", "HEAD"},
        };
        // Logged after each response is sent, so two quick requests may be written in either order.
        List<JsonNode> parsed = new ArrayList<>();
        for (String text : lines) {
            parsed.add(TestJson.parse(text));
        }
        for (int i = 0; i < expected.length; i++) {
            String request = expected[i][0];
            JsonNode line = parsed.stream().filter(l -> request.equals(l.path("request").textValue())).findFirst()
                    .orElseThrow(() -> new AssertionError("no line for " + request + " in " + lines));
            assertEquals(FIELDS, TestJson.fieldNames(line), line.toString());
            assertTrue(line.get("timestamp").isFloatingPointNumber(), line.toString());
            double timestamp = line.get("timestamp").asDouble();
            assertTrue(timestamp >= before - 1 && timestamp <= after + 1, "epoch seconds: " + line);
            assertEquals("INFO", line.get("levelname").textValue());
            assertTrue(line.get("message").isNull());
            assertEquals(expected[i][0], line.get("request").textValue());
            assertTrue(line.get("status_code").isTextual(), "status_code is a string as in gunicorn's log");
            assertEquals(expected[i][1], line.get("status_code").textValue());
            assertEquals(expected[i][2], line.get("method").textValue());
            assertEquals("127.0.0.1", line.get("remote_address").textValue());
            assertTrue(line.get("duration_ms").isNumber() && line.get("duration_ms").asDouble() >= 0, line.toString());
        }
    }

    @Test
    void theStreamCarriesNothingButAccessLinesAndNoPassword() throws Exception {
        int from = app.accessLog().length();
        app.get("/api/v1/attendance/health/detail");
        linesAfter(from, 1);
        String log = app.accessLog();
        assertFalse(log.isEmpty());
        for (String line : log.split("\n")) {
            JsonNode json = TestJson.parse(line);
            assertTrue(json.isObject() && json.has("request") && json.has("status_code"), line);
        }
        assertFalse(log.contains(app.config.postgres().password()), "no password in the log");
    }
}
