package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input across every route, one row per request: no 5xx, a JSON error body that names the problem and shows
 * nothing internal, and the table exactly as it was. Sent over a raw socket so every byte is what the row says.
 */
class BadInputTest {
    private static final String V1 = AttendanceApi.V1;
    private static final String VALID = "{\"id\":\"new\",\"name\":\"New\",\"status\":\"Present\",\"date\":\"2023-01-05\"}";
    private static final int LIMIT = 1_048_576;

    @RegisterExtension
    static final TestApp app = new TestApp();

    private static List<List<String>> seeded;

    /** One bad request: what to send, the status expected and a word the error must contain. */
    record Case(String name, String method, String target, String contentType, byte[] body, boolean chunked,
                int status, String mentions) {
        @Override
        public String toString() {
            return name;
        }

        byte[] head() {
            StringBuilder h = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1");
            if (contentType != null) {
                h.append("\r\nContent-Type: ").append(contentType);
            }
            if (chunked) {
                h.append("\r\nTransfer-Encoding: chunked");
            } else if (body != null) {
                h.append("\r\nContent-Length: ").append(body.length);
            }
            return h.toString().getBytes(StandardCharsets.UTF_8);
        }

        void writeBody(OutputStream out) throws IOException {
            if (body == null) {
                return;
            }
            if (!chunked) {
                out.write(body);
                return;
            }
            for (int pos = 0; pos < body.length; pos += 65_536) {
                int n = Math.min(65_536, body.length - pos);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, pos, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        /** The request as text, for telling echoed input apart from a leak. */
        String text() {
            String b = body == null ? "" : new String(body, 0, Math.min(body.length, 20_000), StandardCharsets.UTF_8);
            return new String(head(), StandardCharsets.UTF_8) + "\n" + b + "\n" + decoded(target);
        }
    }

    @BeforeAll
    static void seed() {
        // reset, not just DELETE: it also invalidates the cached responses of earlier searches.
        app.reset();
        assertEquals(200, app.create("1", "John Doe", "Present", "2023-01-01").statusCode());
        assertEquals(200, app.create("2", "Jane Roe", "Absent", "2023-01-02").statusCode());
        assertEquals(200, app.create("x", "Xavier", "Present", "2023-01-03").statusCode());
        seeded = app.rows();
    }

    @Test
    void theTableHasAtLeastSixtyRequests() {
        assertTrue(cases().count() >= 60, "rows: " + cases().count());
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        String create = V1 + "/create";
        String search = V1 + "/search";

        // Wrong method (405 with Allow) on every route; unknown paths (404).
        c.add(req("GET on create", "GET", create, null, null, 405, "not allowed"));
        c.add(req("PATCH on create", "PATCH", create, "application/json", VALID, 405, "not allowed"));
        c.add(req("POST on search", "POST", search + "?id=1", "application/json", VALID, 405, "not allowed"));
        c.add(req("PATCH on search", "PATCH", search + "?id=1", "application/json", VALID, 405, "not allowed"));
        c.add(req("POST on search/all", "POST", search + "/all", "application/json", VALID, 405, "not allowed"));
        c.add(req("PUT on search/all", "PUT", search + "/all", "application/json", VALID, 405, "not allowed"));
        c.add(req("POST on health", "POST", V1 + "/health", "application/json", VALID, 405, "not allowed"));
        c.add(req("DELETE on health/detail", "DELETE", V1 + "/health/detail", null, null, 405, "not allowed"));
        c.add(req("POST on metrics", "POST", "/metrics", "application/json", VALID, 405, "not allowed"));
        c.add(req("DELETE on metrics", "DELETE", "/metrics", null, null, 405, "not allowed"));
        c.add(req("unknown path under v1", "GET", V1 + "/nope/deeper", null, null, 404, "no route"));
        c.add(req("unknown API version", "GET", "/api/v2/attendance/search?id=1", null, null, 404, "no route"));
        c.add(req("POST to an unknown path", "POST", create + "/extra", "application/json", VALID, 404, "no route"));
        c.add(req("trailing slash on search/all", "GET", search + "/all/", null, null, 404, "no route"));
        c.add(req("trailing slash on health", "GET", V1 + "/health/", null, null, 404, "no route"));
        c.add(req("root", "GET", "/", null, null, 404, "no route"));

        // Bodies that are not a JSON object.
        c.add(create("truncated JSON", "{\"id\":\"9\",\"name\":", "json"));
        c.add(create("not JSON at all", "id=9&name=x", "json"));
        c.add(create("empty body", "", "empty"));
        c.add(create("whitespace-only body", "  \n ", "empty"));
        c.add(create("JSON array", "[]", "object"));
        c.add(create("array of a valid body", "[" + VALID + "]", "object"));
        c.add(create("JSON string", "\"x\"", "object"));
        c.add(create("JSON null", "null", "object"));
        c.add(create("JSON number", "42", "object"));
        c.add(create("JSON boolean", "true", "object"));
        c.add(create("empty object", "{}", "required"));
        c.add(create("trailing garbage after the object", VALID + " x", "json"));
        c.add(create("two objects", VALID + VALID, "json"));
        c.add(create("single-quoted JSON", "{'id':'9','name':'n','status':'s','date':'2023-01-01'}", "json"));
        c.add(create("JSON with a comment", "/* c */" + VALID, "json"));

        // Wrong types, nulls and nesting.
        c.add(create("id a number", body("9", "\"n\"", "\"s\"", "\"2023-01-01\""), "id must be a string"));
        c.add(create("name a number", body("\"9\"", "1", "\"s\"", "\"2023-01-01\""), "name must be a string"));
        c.add(create("status a boolean", body("\"9\"", "\"n\"", "true", "\"2023-01-01\""), "status must be a string"));
        c.add(create("date a number", body("\"9\"", "\"n\"", "\"s\"", "20230101"), "date must be a string"));
        c.add(create("id null", body("null", "\"n\"", "\"s\"", "\"2023-01-01\""), "id must be a string, not null"));
        c.add(create("name null", body("\"9\"", "null", "\"s\"", "\"2023-01-01\""), "name must be a string, not null"));
        c.add(create("status null", body("\"9\"", "\"n\"", "null", "\"2023-01-01\""), "status must be a string, not null"));
        c.add(create("date null", body("\"9\"", "\"n\"", "\"s\"", "null"), "date must be a string, not null"));
        c.add(create("every value null", body("null", "null", "null", "null"), "date must be a string"));
        c.add(create("id a nested object", body("{\"id\":\"9\"}", "\"n\"", "\"s\"", "\"2023-01-01\""), "id must be a string, not object"));
        c.add(create("name an array", body("\"9\"", "[\"n\"]", "\"s\"", "\"2023-01-01\""), "name must be a string, not array"));
        c.add(create("date a nested object", body("\"9\"", "\"n\"", "\"s\"", "{\"y\":2023}"), "date must be a string, not object"));

        // Keys: duplicated, unknown, missing, wrong case.
        c.add(create("duplicate id key", "{\"id\":\"9\",\"id\":\"10\",\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\"}", "duplicate"));
        c.add(create("duplicate date key", "{\"id\":\"9\",\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\",\"date\":\"x\"}", "duplicate"));
        c.add(create("unknown extra key", "{\"id\":\"9\",\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\",\"admin\":true}", "unknown key"));
        c.add(create("unknown key with a 1000-character name",
                "{\"id\":\"9\",\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\",\"" + "k".repeat(1000) + "\":1}", "unknown key"));
        c.add(create("missing id", "{\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\"}", "id is required"));
        c.add(create("missing name", "{\"id\":\"9\",\"status\":\"s\",\"date\":\"2023-01-01\"}", "name is required"));
        c.add(create("missing status", "{\"id\":\"9\",\"name\":\"n\",\"date\":\"2023-01-01\"}", "status is required"));
        c.add(create("missing date", "{\"id\":\"9\",\"name\":\"n\",\"status\":\"s\"}", "date is required"));
        c.add(create("keys in upper case", "{\"ID\":\"9\",\"NAME\":\"n\",\"STATUS\":\"s\",\"DATE\":\"2023-01-01\"}", "unknown key"));

        // Values: empty, too long, control characters, invalid UTF-8 and surrogates.
        c.add(create("empty id", body("\"\"", "\"n\"", "\"s\"", "\"2023-01-01\""), "id must not be empty"));
        c.add(create("id of 256 characters", body("\"" + "i".repeat(256) + "\"", "\"n\"", "\"s\"", "\"2023-01-01\""), "255"));
        c.add(create("id of 10,000 characters", body("\"" + "i".repeat(10_000) + "\"", "\"n\"", "\"s\"", "\"2023-01-01\""), "255"));
        c.add(create("NUL in the id", body("\"9\\u0000\"", "\"n\"", "\"s\"", "\"2023-01-01\""), "nul"));
        c.add(create("NUL in the name", body("\"9\"", "\"n\\u0000\"", "\"s\"", "\"2023-01-01\""), "nul"));
        c.add(create("raw control character in a string", body("\"9\u0001\"", "\"n\"", "\"s\"", "\"2023-01-01\""), "json"));
        c.add(create("raw newline in a string", body("\"9\"", "\"n\nm\"", "\"s\"", "\"2023-01-01\""), "json"));
        c.add(createBytes("invalid UTF-8 byte in the id", utf8WithBytes(body("\"9", "\"n\"", "\"s\"", "\"2023-01-01\""), "\"9", 0xFF), "utf-8"));
        c.add(createBytes("truncated UTF-8 sequence in the name", utf8WithBytes(body("\"9\"", "\"n", "\"s\"", "\"2023-01-01\""), "\"n", 0xC3), "utf-8"));
        c.add(createBytes("overlong UTF-8 encoding of '/'", utf8WithBytes(body("\"9", "\"n\"", "\"s\"", "\"2023-01-01\""), "\"9", 0xC0, 0xAF), "utf-8"));
        c.add(create("lone high surrogate escape", body("\"9\\ud800\"", "\"n\"", "\"s\"", "\"2023-01-01\""), "surrogate"));
        c.add(create("lone low surrogate escape", body("\"9\"", "\"\\udc00n\"", "\"s\"", "\"2023-01-01\""), "surrogate"));

        // Dates PostgreSQL refuses, or that cannot be read back.
        c.add(create("date 2023-02-30", body("\"9\"", "\"n\"", "\"s\"", "\"2023-02-30\""), "date"));
        c.add(create("date 2023-13-01", body("\"9\"", "\"n\"", "\"s\"", "\"2023-13-01\""), "date"));
        c.add(create("empty date", body("\"9\"", "\"n\"", "\"s\"", "\"\""), "date"));
        c.add(create("date 'not a date'", body("\"9\"", "\"n\"", "\"s\"", "\"not a date\""), "date"));
        c.add(create("date infinity", body("\"9\"", "\"n\"", "\"s\"", "\"infinity\""), "calendar date"));
        c.add(create("date -infinity", body("\"9\"", "\"n\"", "\"s\"", "\"-infinity\""), "calendar date"));
        c.add(create("date of 10,000 characters", body("\"9\"", "\"n\"", "\"s\"", "\"" + "2".repeat(10_000) + "\""), "date"));
        c.add(create("SQL in the date", body("\"9\"", "\"n\"", "\"s\"", "\"2023-01-01'); DROP TABLE records; --\""), "date"));
        c.add(create("date after 9999", body("\"9\"", "\"n\"", "\"s\"", "\"10000-01-01\""), "9999-12-31"));
        c.add(create("date before year 1", body("\"9\"", "\"n\"", "\"s\"", "\"2023-01-01 BC\""), "0001-01-01"));

        // Content-Type.
        c.add(req("text/plain body", "POST", create, "text/plain", VALID, 415, "content-type"));
        c.add(req("no Content-Type", "POST", create, null, VALID, 415, "content-type"));
        c.add(req("form-encoded body", "POST", create, "application/x-www-form-urlencoded", "id=9&name=n", 415, "content-type"));
        c.add(req("XML body", "POST", create, "application/xml", "<id>9</id>", 415, "content-type"));
        c.add(req("application/jsonp", "POST", create, "application/jsonp", VALID, 415, "content-type"));
        c.add(req("multipart body", "POST", create, "multipart/form-data; boundary=x", "--x--", 415, "content-type"));

        // Size limit: with a Content-Length, and chunked without one (Javalin itself checks only the former).
        byte[] big = body("\"big\"", "\"" + "n".repeat(LIMIT) + "\"", "\"s\"", "\"2023-01-01\"").getBytes(StandardCharsets.UTF_8);
        c.add(new Case("body over the limit with Content-Length", "POST", create, "application/json", big, false, 413, "limit"));
        c.add(new Case("chunked body over the limit", "POST", create, "application/json", big, true, 413, "limit"));

        // Query parameters of search.
        c.add(req("search without id", "GET", search, null, null, 400, "query params"));
        c.add(req("search with an empty id", "GET", search + "?id=", null, null, 400, "query params"));
        c.add(req("search with id in upper case", "GET", search + "?ID=1", null, null, 400, "query params"));
        c.add(req("search with the id twice", "GET", search + "?id=1&id=2", null, null, 400, "once"));
        c.add(req("search with an empty and a real id", "GET", search + "?id=&id=1", null, null, 400, "once"));
        c.add(req("search with an id of 256 characters", "GET", search + "?id=" + "i".repeat(256), null, null, 400, "255"));
        c.add(req("search with NUL in the id", "GET", search + "?id=1%00", null, null, 400, "nul"));
        c.add(req("search with invalid UTF-8 in the id", "GET", search + "?id=%FF", null, null, 400, "utf-8"));
        c.add(req("search with an encoded lone surrogate", "GET", search + "?id=%ED%A0%80", null, null, 400, "utf-8"));

        // Injection and traversal in the id: searched literally, so nothing is found.
        for (String id : List.of("1' OR '1'='1", "nope' OR '1'='1", "' UNION SELECT current_user, version(), null, null --",
                "1; DROP TABLE records; --", "../../etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2fetc%2fpasswd", "*", "%")) {
            c.add(req("search for " + id, "GET", search + "?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8),
                    null, null, 404, "no attendance record"));
        }

        // Requests Jetty refuses before any route runs: still JSON.
        c.add(req("path traversal in the path", "GET", V1 + "/../../../etc/passwd", null, null, 404, "no route"));
        c.add(req("encoded traversal in the path", "GET", V1 + "/%2e%2e/%2e%2e/metrics", null, null, 404, "no route"));
        c.add(req("encoded slash in the path", "GET", V1 + "/search%2Fall", null, null, 404, "no route"));
        c.add(req("NUL in the path", "GET", V1 + "/search%00", null, null, 400, "bad request"));
        c.add(req("malformed percent-encoding in the query", "GET", search + "?id=%G1", null, null, 400, "percent"));
        c.add(req("request line over 8 KiB", "GET", search + "?id=" + "i".repeat(9000), null, null, 414, "uri too long"));
        // (The header rides in the Content-Type slot: one more header line after it.)
        c.add(req("header over 8 KiB", "GET", search + "?id=1", "text/plain\r\nX-Big: " + "h".repeat(9000), null, 431, "too large"));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsRefusedWithJsonThatNamesTheProblemAndChangesNothing(Case c) throws IOException {
        RawHttp.Response r = RawHttp.send(app.app.port(), c.head(), c::writeBody);
        assertTrue(r.status() < 500, c + ": no 5xx, got " + r.status() + " " + r.body());
        assertEquals(c.status(), r.status(), c + ": " + r.body());
        assertTrue(r.header("Content-Type").startsWith("application/json"), c + ": JSON, got " + r.header("Content-Type") + " " + r.body());
        JsonNode body = TestJson.parse(r.body());
        assertTrue(body.isObject() && (body.has("error") || body.has("message")), c + ": an error object: " + r.body());
        assertTrue(r.body().toLowerCase(Locale.ROOT).contains(c.mentions()), c + ": names the problem (" + c.mentions() + "): " + r.body());
        Leaks.assertNone(r.body(), c.text(), app.config);
        assertEquals(seeded, app.rows(), c + ": the table is unchanged");
    }

    @Test
    void injectionAndTraversalIdsAreStoredAndFoundLiterally() {
        List<String> ids = List.of("1' OR '1'='1", "'); DROP TABLE records; --", "../../etc/passwd", "%2e%2e%2f", "<script>x</script>");
        try {
            for (String id : ids) {
                assertEquals(200, app.create(id, "Literal", "Present", "2023-01-04").statusCode(), id);
            }
            for (String id : ids) {
                var found = app.get(V1 + "/search?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
                assertEquals(200, found.statusCode(), id);
                assertEquals(id, TestJson.parse(found.body()).get("id").asText());
            }
            assertEquals(seeded.size() + ids.size(), app.rows().size());
        } finally {
            seed();
        }
    }

    private static Case req(String name, String method, String target, String contentType, String body, int status, String mentions) {
        return new Case(name, method, target, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                false, status, mentions);
    }

    private static Case create(String name, String json, String mentions) {
        return createBytes(name, json.getBytes(StandardCharsets.UTF_8), mentions);
    }

    private static Case createBytes(String name, byte[] body, String mentions) {
        return new Case(name, "POST", V1 + "/create", "application/json", body, false, 400, mentions);
    }

    private static String body(String id, String name, String status, String date) {
        return "{\"id\":" + id + ",\"name\":" + name + ",\"status\":" + status + ",\"date\":" + date + "}";
    }

    /** The UTF-8 of json with the given raw bytes inserted right after the first occurrence of marker. */
    private static byte[] utf8WithBytes(String json, String marker, int... bytes) {
        int at = json.indexOf(marker) + marker.length();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(json.substring(0, at).getBytes(StandardCharsets.UTF_8));
        for (int b : bytes) {
            out.write(b);
        }
        out.writeBytes(json.substring(at).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String decoded(String target) {
        try {
            return java.net.URLDecoder.decode(target, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return target;
        }
    }
}
