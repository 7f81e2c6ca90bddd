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
import org.otmicroservices.attendance.http.Routes;

/**
 * Bad input across every route, one row per request: no 5xx, a JSON error body that names the problem and shows
 * nothing internal, and the table exactly as it was. Sent over a raw socket so every byte is what the row says.
 */
class BadInputTest {
    private static final String V1 = Routes.V1;
    private static final String VALID = "{\"id\":\"new\",\"name\":\"New\",\"status\":\"Present\",\"date\":\"2023-01-05\"}";
    private static final int LIMIT = 1_048_576;

    /** Bulk bodies have their own limit, above the general one; kept small here so the over-limit rows stay light. */
    private static final int BULK_LIMIT = 2 * LIMIT;

    @RegisterExtension
    static final TestApp app = new TestApp(c -> TestConfigs.with(c, "server.max_bulk_body_bytes", BULK_LIMIT));

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

        beyondFlask(c, big);
        return c.stream();
    }

    /** The routes beyond Flask: PUT/DELETE of a record, bulk import, CSV export, summary, filters, paging. */
    private static void beyondFlask(List<Case> c, byte[] big) {
        String record = V1 + "/1";
        String bulk = V1 + "/bulk";
        String search = V1 + "/search";
        String update = "{\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\"}";
        String row = "{\"id\":\"9\",\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\"}";

        // Wrong method on the new routes: the fixed one-segment paths keep their 405, other words stay 404.
        c.add(req("GET on bulk", "GET", bulk, null, null, 405, "not allowed"));
        c.add(req("PUT on bulk", "PUT", bulk, "application/json", update, 405, "not allowed"));
        c.add(req("DELETE on bulk", "DELETE", bulk, null, null, 405, "not allowed"));
        c.add(req("POST on export.csv", "POST", V1 + "/export.csv", "application/json", "[" + row + "]", 405, "not allowed"));
        c.add(req("DELETE on export.csv", "DELETE", V1 + "/export.csv", null, null, 405, "not allowed"));
        c.add(req("POST on summary", "POST", V1 + "/summary", "application/json", VALID, 405, "not allowed"));
        c.add(req("PUT on summary", "PUT", V1 + "/summary", "application/json", update, 405, "not allowed"));
        c.add(req("PUT on search", "PUT", search, "application/json", update, 405, "not allowed"));
        c.add(req("DELETE on create", "DELETE", V1 + "/create", null, null, 405, "not allowed"));
        c.add(req("DELETE on search/all", "DELETE", search + "/all", null, null, 405, "not allowed"));
        c.add(req("POST on a record", "POST", record, "application/json", update, 404, "no route"));
        c.add(req("PATCH on a record", "PATCH", record, "application/json", update, 404, "no route"));
        c.add(req("DELETE on a record's sub-path", "DELETE", record + "/name", null, null, 404, "no route"));

        // PUT /{id}: the body rules of create, the id from the path.
        c.add(put("PUT with truncated JSON", "{\"name\":", "json"));
        c.add(put("PUT with an empty body", "", "empty"));
        c.add(put("PUT with a JSON array", "[" + update + "]", "object"));
        c.add(put("PUT with JSON null", "null", "object"));
        c.add(put("PUT with trailing data", update + " x", "json"));
        c.add(put("PUT with name a number", "{\"name\":1,\"status\":\"s\",\"date\":\"2023-01-01\"}", "name must be a string"));
        c.add(put("PUT with status null", "{\"name\":\"n\",\"status\":null,\"date\":\"2023-01-01\"}", "status must be a string, not null"));
        c.add(put("PUT with date a nested object", "{\"name\":\"n\",\"status\":\"s\",\"date\":{\"y\":2023}}", "date must be a string, not object"));
        c.add(put("PUT without a date", "{\"name\":\"n\",\"status\":\"s\"}", "date is required"));
        c.add(put("PUT with an unknown key", "{\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\",\"admin\":true}", "unknown key"));
        c.add(put("PUT with a duplicate key", "{\"name\":\"n\",\"name\":\"m\",\"status\":\"s\",\"date\":\"2023-01-01\"}", "duplicate"));
        c.add(put("PUT moving the record to another id", "{\"id\":\"2\",\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\"}", "id in the body"));
        c.add(put("PUT with the id a number", "{\"id\":1,\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\"}", "id in the body"));
        c.add(put("PUT with NUL in the name", "{\"name\":\"n\\u0000\",\"status\":\"s\",\"date\":\"2023-01-01\"}", "nul"));
        c.add(put("PUT with date 2023-02-30", "{\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-02-30\"}", "not a date"));
        c.add(put("PUT with date infinity", "{\"name\":\"n\",\"status\":\"s\",\"date\":\"infinity\"}", "calendar date"));
        c.add(put("PUT with date after 9999", "{\"name\":\"n\",\"status\":\"s\",\"date\":\"10000-01-01\"}", "9999-12-31"));
        c.add(req("PUT as text/plain", "PUT", record, "text/plain", update, 415, "content-type"));
        c.add(req("PUT without Content-Type", "PUT", record, null, update, 415, "content-type"));
        c.add(req("PUT on an id of 256 characters", "PUT", V1 + "/" + "i".repeat(256), "application/json", update, 400, "255"));
        c.add(req("PUT on an unknown id", "PUT", V1 + "/nobody", "application/json", update, 404, "no attendance record"));
        c.add(req("PUT on an injected id", "PUT", V1 + "/1'%20OR%20'1'%3D'1", "application/json", update, 404, "no attendance record"));
        c.add(new Case("PUT body over the limit with Content-Length", "PUT", record, "application/json", big, false, 413, "limit"));
        c.add(new Case("PUT chunked body over the limit", "PUT", record, "application/json", big, true, 413, "limit"));

        // DELETE /{id}: only the record named, literally.
        c.add(req("DELETE of an unknown id", "DELETE", V1 + "/nobody", null, null, 404, "no attendance record"));
        c.add(req("DELETE of an injected id", "DELETE", V1 + "/1'%20OR%20'1'%3D'1", null, null, 404, "no attendance record"));
        c.add(req("DELETE of a traversal id", "DELETE", V1 + "/..%2F..%2Fetc%2Fpasswd", null, null, 404, "no attendance record"));
        c.add(req("DELETE of a path with malformed percent-encoding", "DELETE", V1 + "/%ZZ", null, null, 400, "refused before routing"));

        // POST /bulk, JSON: every row under create's rules, and all rows or none.
        c.add(bulk("bulk with truncated JSON", "application/json", "[" + row + ",{\"id\":", "json"));
        c.add(bulk("bulk with an empty JSON body", "application/json", "", "empty"));
        c.add(bulk("bulk with an object, not an array", "application/json", row, "array"));
        c.add(bulk("bulk with data after the array", "application/json", "[" + row + "] []", "more after"));
        c.add(bulk("bulk row that is a string", "application/json", "[\"x\"]", "row 1: a record must be a json object"));
        c.add(bulk("bulk row with id a number", "application/json", "[" + row.replace("\"9\"", "9") + "]", "row 1: id must be a string"));
        c.add(bulk("bulk row with a null name", "application/json", "[" + row.replace("\"n\"", "null") + "]", "name must be a string, not null"));
        c.add(bulk("bulk row with an unknown key", "application/json", "[" + row.replace("}", ",\"x\":1}") + "]", "unknown key"));
        c.add(bulk("bulk row with a duplicate key", "application/json", "[" + row.replace("}", ",\"id\":\"8\"}") + "]", "duplicate"));
        c.add(bulk("bulk row without a date", "application/json", "[{\"id\":\"9\",\"name\":\"n\",\"status\":\"s\"}]", "date is required"));
        c.add(bulk("bulk with an id twice", "application/json", "[" + row + "," + row + "]", "repeats the id of row 1"));
        c.add(bulk("bulk with a bad date after a good row", "application/json",
                "[" + row + "," + row.replace("\"9\"", "\"10\"").replace("2023-01-01", "2023-02-30") + "]", "row 2: date is not a date"));
        c.add(bulk("bulk with date infinity", "application/json", "[" + row.replace("2023-01-01", "infinity") + "]", "calendar date"));
        c.add(bulk("bulk with an empty id", "application/json", "[" + row.replace("\"9\"", "\"\"") + "]", "id must not be empty"));
        c.add(bulk("bulk with NUL in a name", "application/json", "[" + row.replace("\"n\"", "\"n\\u0000\"") + "]", "nul"));
        c.add(new Case("bulk with an id that exists (on_conflict=error)", "POST", V1 + "/bulk", "application/json",
                ("[" + row + "," + row.replace("\"9\"", "\"1\"") + "]").getBytes(StandardCharsets.UTF_8), false, 409, "already exist"));
        c.add(req("bulk with on_conflict=replace", "POST", bulk + "?on_conflict=replace", "application/json", "[" + row + "]", 400, "on_conflict"));
        c.add(req("bulk with on_conflict twice", "POST", bulk + "?on_conflict=skip&on_conflict=update", "application/json", "[" + row + "]", 400, "once"));

        // POST /bulk, CSV.
        String header = "id,name,status,date\n";
        c.add(bulk("bulk CSV without the header", "text/csv", "9,n,s,2023-01-01\n", "header"));
        c.add(bulk("bulk CSV with an empty body", "text/csv", "", "header"));
        c.add(bulk("bulk CSV with a column missing", "text/csv", header + "9,n,s\n", "expected 4 fields"));
        c.add(bulk("bulk CSV with an extra column", "text/csv", header + "9,n,s,2023-01-01,x\n", "expected 4 fields"));
        c.add(bulk("bulk CSV with an unclosed quote", "text/csv", header + "9,\"n,s,2023-01-01\n", "malformed"));
        c.add(bulk("bulk CSV with a bad date", "text/csv", header + "9,n,s,2023-13-01\n", "row 1: date is not a date"));
        c.add(bulk("bulk CSV with an empty id", "text/csv", header + ",n,s,2023-01-01\n", "id must not be empty"));
        c.add(bulk("bulk CSV with an id of 256 characters", "text/csv", header + "i".repeat(256) + ",n,s,2023-01-01\n", "255"));
        c.add(new Case("bulk CSV with invalid UTF-8", "POST", V1 + "/bulk", "text/csv",
                utf8WithBytes(header + "9,n,s,2023-01-01\n", "9,n", 0xFF), false, 400, "utf-8"));
        c.add(bulk("bulk CSV declared Latin-1", "text/csv; charset=iso-8859-1", header + "9,n,s,2023-01-01\n", "utf-8"));
        c.add(bulk("bulk as text/plain", "text/plain", header + "9,n,s,2023-01-01\n", "content-type"));
        c.add(req("bulk without Content-Type", "POST", bulk, null, "[" + row + "]", 415, "content-type"));
        c.add(bulk("bulk as XML", "application/xml", "<id>9</id>", "content-type"));

        // Over the bulk limit (its own, above the general one), with a Content-Length and chunked.
        byte[] overBulk = (header + "9,n,s,2023-01-01\n" + "#".repeat(BULK_LIMIT)).getBytes(StandardCharsets.UTF_8);
        c.add(new Case("bulk body over its limit with Content-Length", "POST", bulk, "text/csv", overBulk, false, 413, "limit"));
        c.add(new Case("bulk chunked body over its limit", "POST", bulk, "text/csv", overBulk, true, 413, "limit"));

        // Filters of search, export.csv and summary: strict ISO dates, each parameter once, a range in order.
        c.add(req("filtered search with a date not yyyy-MM-dd", "GET", search + "?date=2023-1-2", null, null, 400, "date must be a date"));
        c.add(req("filtered search with from 2023-02-30", "GET", search + "?from=2023-02-30", null, null, 400, "from must be a date"));
        c.add(req("filtered search with to in US order", "GET", search + "?to=01%2F02%2F2023", null, null, 400, "to must be a date"));
        c.add(req("filtered search with a date of 5,000 characters", "GET", search + "?date=" + "2".repeat(5000), null, null, 400, "date must be a date"));
        c.add(req("filtered search with from after to", "GET", search + "?from=2023-01-03&to=2023-01-01", null, null, 400, "must not be after"));
        c.add(req("filtered search with status twice", "GET", search + "?status=a&status=b", null, null, 400, "status must be given once"));
        c.add(req("filtered search with NUL in the name", "GET", search + "?name=x%00", null, null, 400, "nul"));
        c.add(req("filtered search with invalid UTF-8 in the name", "GET", search + "?name=%FF", null, null, 400, "utf-8"));
        c.add(req("export with a bad date", "GET", V1 + "/export.csv?from=2023-13-01", null, null, 400, "from must be a date"));
        c.add(req("export with from after to", "GET", V1 + "/export.csv?from=2023-01-03&to=2023-01-01", null, null, 400, "must not be after"));
        c.add(req("export with name twice", "GET", V1 + "/export.csv?name=a&name=b", null, null, 400, "name must be given once"));
        c.add(req("summary with from not yyyy-MM-dd", "GET", V1 + "/summary?from=2023-1-1", null, null, 400, "from must be a date"));
        c.add(req("summary with to 'tomorrow'", "GET", V1 + "/summary?to=tomorrow", null, null, 400, "to must be a date"));
        c.add(req("summary with from after to", "GET", V1 + "/summary?from=2023-02-01&to=2023-01-01", null, null, 400, "must not be after"));
        c.add(req("summary with from twice", "GET", V1 + "/summary?from=2023-01-01&from=2023-01-02", null, null, 400, "from must be given once"));

        // limit and after, on search/all and on a filtered search.
        for (String limit : List.of("0", "10001", "abc", "-1", "1.5", "1e3", "9999999999", "2147483648", "")) {
            c.add(req("search/all with limit=" + limit, "GET", search + "/all?limit=" + limit, null, null, 400, "limit must be a whole number"));
            // An id finds its record whatever else is asked, but not past a value refused without it.
            c.add(req("search with an id and limit=" + limit, "GET", search + "?id=2&limit=" + limit, null, null, 400, "limit must be a whole number"));
        }
        c.add(req("search with an id and a bad date", "GET", search + "?id=2&date=2023-13-01", null, null, 400, "date must be a date"));
        c.add(req("search/all with limit twice", "GET", search + "/all?limit=1&limit=2", null, null, 400, "limit must be given once"));
        c.add(req("search/all with after twice", "GET", search + "/all?after=1&after=2", null, null, 400, "after must be given once"));
        c.add(req("search/all with NUL in after", "GET", search + "/all?after=%00", null, null, 400, "nul"));
        c.add(req("filtered search with limit=0", "GET", search + "?status=Present&limit=0", null, null, 400, "limit must be a whole number"));
        c.add(req("filtered search with a bad limit and a bad date", "GET", search + "?status=Present&limit=x&date=x", null, null, 400,
                "limit must be a whole number"));
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

    /** A PUT of record 1, which exists: a refused update must leave it as it was. */
    private static Case put(String name, String json, String mentions) {
        return new Case(name, "PUT", V1 + "/1", "application/json", json.getBytes(StandardCharsets.UTF_8), false, 400, mentions);
    }

    private static Case bulk(String name, String contentType, String body, String mentions) {
        int status = contentType.startsWith("application/json") || contentType.equals("text/csv") ? 400 : 415;
        return new Case(name, "POST", V1 + "/bulk", contentType, body.getBytes(StandardCharsets.UTF_8), false, status, mentions);
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
