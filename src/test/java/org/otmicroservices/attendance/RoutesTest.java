package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every route of README "Endpoints", its error cases, dates, and the rows of README "Deliberate differences". */
class RoutesTest {
    @RegisterExtension
    static final TestApp app = new TestApp();
    @RegisterExtension
    static final TestApp iso = new TestApp(c -> TestConfigs.with(c, "json.date_format", "iso"));

    private static final String V1 = "/api/v1/attendance";
    private static final String HEALTHY = "{\"message\":\"Attendance API is running fine and ready to serve requests\"}";
    private static final String MISSING_ID = "{\"message\":\"Unable to process request, please check query params \"}";
    private static final ObjectMapper JSON_WRITER = new ObjectMapper();
    /** Every GET route of the service, each with the status its GET answers. */
    private static final Map<String, Integer> GET_ROUTES = Map.of(
            V1 + "/health", 200, V1 + "/health/detail", 200, V1 + "/search?id=1", 200, V1 + "/search/all", 200,
            "/metrics", 200, "/apidocs", 308, "/apidocs/", 200, "/apispec_1.json", 200, "/openapi.json", 200);

    @BeforeEach
    void emptyTable() {
        app.reset();
    }

    static void assertJson(HttpResponse<String> response, int status, String body) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", contentType(response));
        assertEquals(body + "\n", response.body());
    }

    static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    private static HttpResponse<String> create(String body) {
        return app.postJson(V1 + "/create", body);
    }

    // ---- health

    @Test
    void healthAnswersTheFlaskMessage() {
        assertJson(app.get(V1 + "/health"), 200, HEALTHY);
    }

    @Test
    void healthDetailReportsPostgresqlAndRedisUp() {
        assertJson(app.get(V1 + "/health/detail"), 200,
                "{\"message\":\"Attendance API is running fine and ready to serve requests\",\"postgresql\":\"up\",\"redis\":\"up\",\"status\":\"up\"}");
    }

    @Test
    void healthWithATrailingSlashIs404AsInFlask() {
        assertJson(app.get(V1 + "/health/"), 404, "{\"error\":\"Not Found\",\"message\":\"No route for GET /api/v1/attendance/health/\"}");
    }

    // ---- create and search

    @Test
    void createThenSearchReturnsTheRecordWithAnRfc1123Date() {
        assertJson(app.create("1", "John Doe", "Present", "2023-01-01"), 200,
                "{\"message\":\"Successfully created the record for the employee id: $1\"}");
        assertJson(app.get(V1 + "/search?id=1"), 200,
                "{\"id\":\"1\",\"name\":\"John Doe\",\"status\":\"Present\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}");
        assertEquals(List.of(List.of("1", "John Doe", "Present", "2023-01-01")), app.rows());
    }

    @Test
    void createAcceptsEmptyNameAndStatusAsFlaskDid() {
        assertJson(app.create("e1", "", "", "2023-01-01"), 200, "{\"message\":\"Successfully created the record for the employee id: $e1\"}");
        assertJson(app.get(V1 + "/search?id=e1"), 200, "{\"id\":\"e1\",\"name\":\"\",\"status\":\"\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}");
    }

    @Test
    void createAcceptsTheKeysInAnyOrder() {
        assertJson(create("{\"date\":\"2023-01-01\",\"status\":\"Absent\",\"id\":\"o1\",\"name\":\"Ann\"}"), 200,
                "{\"message\":\"Successfully created the record for the employee id: $o1\"}");
        assertEquals(List.of(List.of("o1", "Ann", "Absent", "2023-01-01")), app.rows());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "?id=", "?employee=1", "?other=x&id="}) // (?name= is a filter beyond Flask)
    void searchWithoutAnIdAnswersTheFlask400(String query) {
        assertJson(app.get(V1 + "/search" + query), 400, MISSING_ID);
    }

    @Test
    void searchForAnUnknownIdIs404Json() {
        assertJson(app.get(V1 + "/search?id=nobody"), 404, "{\"error\":\"Not Found\",\"message\":\"No attendance record found for id: nobody\"}");
    }

    @Test
    void searchWithAnIdOver255CharactersIs400() {
        assertJson(app.get(V1 + "/search?id=" + "x".repeat(256)), 400,
                "{\"error\":\"Validation Error\",\"details\":[\"id must be at most 255 characters\"]}");
    }

    @Test
    void searchAllOfAnEmptyTableIsAnEmptyArray() {
        assertJson(app.get(V1 + "/search/all"), 200, "[]");
    }

    @Test
    void searchAllListsEveryRecordOrderedByIdInTheDatabaseCollation() {
        List<String> ids = List.of("b", "10", "_x", "B", "2", "a", "1", "Z");
        for (String id : ids) {
            assertEquals(200, app.create(id, "n" + id, "Present", "2023-01-02").statusCode());
        }
        List<String> databaseOrder = app.rows().stream().map(r -> r.get(0)).toList();
        String expected = databaseOrder.stream()
                .map(id -> TestApp.record(id, "n" + id, "Present", "Mon, 02 Jan 2023 00:00:00 GMT"))
                .collect(Collectors.joining(",", "[", "]"));
        assertJson(app.get(V1 + "/search/all"), 200, expected);
    }

    // ---- metrics and docs

    @Test
    void metricsKeepThePrometheusFlaskExporterNames() {
        app.get(V1 + "/health");
        HttpResponse<String> metrics = app.get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", contentType(metrics));
        String body = metrics.body();
        for (String line : List.of(
                "# TYPE flask_http_request_duration_seconds histogram",
                "# TYPE flask_http_request_total counter",
                "# TYPE flask_http_request_exceptions_total counter",
                "# TYPE flask_exporter_info gauge",
                "# TYPE attendance_api gauge",
                "flask_http_request_duration_seconds_bucket{method=\"GET\",path=\"/api/v1/attendance/health\",status=\"200\",le=\"0.005\",}",
                "flask_http_request_total{method=\"GET\",status=\"200\",}",
                "flask_exporter_info{version=\"",
                "attendance_api{version=\"",
                "jvm_memory_bytes_used{area=\"heap\",}",
                "attendance_db_pool_connections{state=\"active\",}")) {
            assertTrue(body.contains(line), () -> "missing in /metrics: " + line);
        }
    }

    @Test
    void apidocsRedirectsPermanentlyToTheTrailingSlash() {
        HttpResponse<String> r = app.get("/apidocs");
        assertEquals(308, r.statusCode());
        assertEquals("/apidocs/", r.headers().firstValue("Location").orElse(""));
    }

    @Test
    void apidocsServesTheSwaggerUiWithItsAssetsFromTheJar() {
        HttpResponse<String> ui = app.get("/apidocs/");
        assertEquals(200, ui.statusCode());
        assertEquals("text/html;charset=utf-8", contentType(ui).toLowerCase());
        assertTrue(ui.body().contains("<div id=\"swagger-ui\"></div>"), ui.body());
        assertTrue(ui.body().contains("url: '/openapi.json?v=default'"), ui.body());
        assertTrue(ui.body().contains("validatorUrl: null"), ui.body());
        HttpResponse<String> bundle = app.get("/webjars/swagger-ui/5.17.14/swagger-ui-bundle.js");
        assertEquals(200, bundle.statusCode());
        assertTrue(bundle.body().length() > 100_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/apispec_1.json", "/openapi.json", "/openapi.json?v=default"})
    void theSpecDocumentsEveryRoute(String path) throws Exception {
        HttpResponse<String> r = app.get(path);
        assertEquals(200, r.statusCode());
        assertEquals("application/json", contentType(r));
        JsonNode paths = TestJson.parse(r.body()).get("paths");
        // The routes of Flask, then those beyond it, then the service's own (metrics, the docs); each GET with its
        // HEAD, every path with its OPTIONS.
        Set<String> read = Set.of("get", "head", "options");
        Map<String, Set<String>> expected = new java.util.HashMap<>(Map.of(V1 + "/create", Set.of("post", "options"),
                V1 + "/search", read, V1 + "/search/all", read, V1 + "/health", read, V1 + "/health/detail", read,
                V1 + "/bulk", Set.of("post", "options"), V1 + "/export.csv", read, V1 + "/summary", read,
                V1 + "/{id}", Set.of("put", "delete", "options")));
        for (String own : List.of("/metrics", "/apidocs", "/apidocs/", "/openapi.json", "/apispec_1.json")) {
            expected.put(own, read);
        }
        assertEquals(new TreeSet<>(expected.keySet()), fieldNames(paths));
        expected.forEach((route, methods) -> {
            assertEquals(methods, fieldNames(paths.get(route)), route);
            methods.forEach(method -> {
                String ok = route.equals("/apidocs") && !method.equals("options") ? "308" : "200";
                assertTrue(paths.get(route).get(method).get("responses").has(ok), route + " " + method);
            });
        });
        assertTrue(paths.get(V1 + "/create").get("post").get("responses").has("400"));
        assertTrue(paths.get(V1 + "/search").get("get").get("responses").has("404"));
    }

    @Test
    void bothSpecPathsServeTheSameSpec() {
        assertEquals(app.get("/openapi.json").body(), app.get("/apispec_1.json").body());
    }

    private static Set<String> fieldNames(JsonNode node) {
        return new TreeSet<>(TestJson.fieldNames(node));
    }

    // ---- HEAD, OPTIONS, 404, 405

    @Test
    void headOnEveryGetRouteAnswersTheGetStatusAndHeadersWithoutABody() {
        app.create("1", "John", "Present", "2023-01-01");
        GET_ROUTES.forEach((path, status) -> {
            HttpResponse<String> get = app.get(path);
            HttpResponse<String> head = app.send("HEAD", path, null, null);
            assertEquals(status, get.statusCode(), path);
            assertEquals(status, head.statusCode(), path);
            assertEquals(contentType(get), contentType(head), path);
            assertEquals(get.headers().firstValue("Location"), head.headers().firstValue("Location"), path);
            get.headers().firstValue("Content-Length")
                    .ifPresent(length -> assertEquals(length, head.headers().firstValue("Content-Length").orElse(""), path));
            assertEquals("", head.body(), path);
        });
    }

    @Test
    void optionsOnEveryRouteAnswers200WithAllow() {
        GET_ROUTES.keySet().forEach(path -> {
            HttpResponse<String> r = app.send("OPTIONS", path, null, null);
            assertEquals(200, r.statusCode(), path);
            assertEquals("OPTIONS, GET, HEAD", r.headers().firstValue("Allow").orElse(""), path);
            assertEquals("", r.body(), path);
        });
        HttpResponse<String> create = app.send("OPTIONS", V1 + "/create", null, null);
        assertEquals(200, create.statusCode());
        assertEquals("OPTIONS, POST", create.headers().firstValue("Allow").orElse(""));
        assertEquals("", create.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nope", "/api/v1/attendance", "/api/v1/attendance/search/all/", "/api/v1/attendance/health//"})
    void anUnknownPathIs404Json(String path) {
        assertJson(app.get(path), 404, "{\"error\":\"Not Found\",\"message\":\"No route for GET " + path + "\"}");
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of("DELETE", V1 + "/health", "OPTIONS, GET, HEAD"),
                Arguments.of("POST", V1 + "/search", "OPTIONS, GET, HEAD"),
                Arguments.of("PUT", V1 + "/search/all", "OPTIONS, GET, HEAD"),
                Arguments.of("GET", V1 + "/create", "OPTIONS, POST"),
                Arguments.of("POST", "/metrics", "OPTIONS, GET, HEAD"),
                // Methods no route has: each path still lists its own methods, and the message names the method.
                Arguments.of("TRACE", V1 + "/health", "OPTIONS, GET, HEAD"),
                Arguments.of("TRACE", V1 + "/search", "OPTIONS, GET, HEAD"),
                Arguments.of("FOO", V1 + "/create", "OPTIONS, POST"),
                Arguments.of("TRACE", V1 + "/some-record", "OPTIONS, PUT, DELETE"),
                Arguments.of("PROPFIND", V1 + "/health/detail", "OPTIONS, GET, HEAD"));
    }

    @ParameterizedTest
    @MethodSource("wrongMethods")
    void aWrongMethodIs405JsonWithAllow(String method, String path, String allowed) {
        HttpResponse<String> r = app.send(method, path, null, null);
        assertEquals(405, r.statusCode(), r.body());
        assertEquals("application/json", contentType(r));
        // The order of the methods is not part of the contract: the one-segment routes that /{id} shadows list them
        // as their OPTIONS does (Flask's order), the others as Javalin does.
        Matcher body = Pattern.compile(Pattern.quote("{\"error\":\"Method Not Allowed\",\"message\":\"" + method
                + " is not allowed on " + path + "; allowed: ") + "([A-Z, ]+)\"}\n").matcher(r.body());
        assertTrue(body.matches(), r.body());
        assertEquals(Set.of(allowed.split(", ")), Set.of(body.group(1).split(", ")), r.body());
        assertEquals(body.group(1), r.headers().firstValue("Allow").orElse(""), "the Allow header lists what the message lists");
    }

    // ---- request body of create

    static Stream<Arguments> unsupportedContentTypes() {
        return Stream.of(
                Arguments.of(null, "The request has no Content-Type: send the body as application/json"),
                Arguments.of("text/plain", "Content-Type must be application/json"),
                Arguments.of("application/x-www-form-urlencoded", "Content-Type must be application/json"),
                Arguments.of("text/json", "Content-Type must be application/json"),
                Arguments.of("application/jsonx", "Content-Type must be application/json"));
    }

    @ParameterizedTest
    @MethodSource("unsupportedContentTypes")
    void createWithAMissingOrNonJsonContentTypeIs415Json(String contentType, String message) {
        HttpResponse<String> r = app.send("POST", V1 + "/create", contentType, TestApp.record("1", "a", "b", "2023-01-01"));
        assertJson(r, 415, "{\"error\":\"Unsupported Media Type\",\"message\":\"" + message + "\"}");
        assertEquals(List.of(), app.rows());
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json; charset=utf-8", "application/vnd.api+json", "Application/JSON"})
    void createAcceptsEveryJsonContentType(String contentType) {
        HttpResponse<String> r = app.send("POST", V1 + "/create", contentType, TestApp.record("ct", "a", "b", "2023-01-01"));
        assertJson(r, 200, "{\"message\":\"Successfully created the record for the employee id: $ct\"}");
    }

    static Stream<Arguments> invalidBodies() {
        return Stream.of(
                Arguments.of("{\"id\":\"1\",\"name\":\"a\",\"status\":\"b\"}", "[\"date is required\"]"),
                Arguments.of("{\"id\":\"1\",\"name\":\"a\",\"status\":\"b\",\"date\":\"2023-01-01\",\"extra\":\"x\"}", "[\"unknown key: extra\"]"),
                Arguments.of("{\"id\":1,\"name\":\"a\",\"status\":\"b\",\"date\":\"2023-01-01\"}", "[\"id must be a string, not number\"]"),
                Arguments.of("{\"id\":\"1\",\"name\":null,\"status\":\"b\",\"date\":\"2023-01-01\"}", "[\"name must be a string, not null\"]"),
                Arguments.of("{\"id\":\"1\",\"name\":\"a\",\"status\":\"b\",\"date\":null}", "[\"date must be a string, not null\"]"),
                Arguments.of("{}", "[\"id is required\",\"name is required\",\"status is required\",\"date is required\"]"),
                Arguments.of("[]", "[\"body must be a JSON object with id, name, status and date, not array\"]"),
                Arguments.of("\"x\"", "[\"body must be a JSON object with id, name, status and date, not string\"]"),
                Arguments.of("null", "[\"body must be a JSON object with id, name, status and date, not null\"]"),
                Arguments.of("42", "[\"body must be a JSON object with id, name, status and date, not number\"]"),
                Arguments.of("", "[\"body is empty: expected a JSON object with id, name, status and date\"]"),
                Arguments.of("{\"id\":\"\",\"name\":\"a\",\"status\":\"b\",\"date\":\"2023-01-01\"}", "[\"id must not be empty\"]"));
    }

    @ParameterizedTest
    @MethodSource("invalidBodies")
    void createWithAnInvalidBodyIs400WithDetails(String body, String details) {
        assertJson(create(body), 400, "{\"error\":\"Validation Error\",\"details\":" + details + "}");
        assertEquals(List.of(), app.rows());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"id\":\"1\",}", "not json", "{\"id\":\"1\",\"name\":\"a\",\"status\":\"b\",\"date\":\"2023-01-01\"} {}"})
    void createWithMalformedJsonIs400WithAReadableDetail(String body) throws Exception {
        HttpResponse<String> r = create(body);
        assertEquals(400, r.statusCode());
        assertEquals("application/json", contentType(r));
        JsonNode json = TestJson.parse(r.body());
        assertEquals(List.of("error", "details"), TestJson.fieldNames(json));
        assertEquals("Validation Error", json.get("error").asText());
        assertEquals(1, json.get("details").size());
        String detail = json.get("details").get(0).asText();
        assertTrue(detail.startsWith("body is not valid JSON"), detail);
        assertFalse(detail.contains("REDACTED") || detail.contains("StreamReadFeature") || detail.contains("Source:"), detail);
    }

    @Test
    void createWithAnExistingIdIs409() {
        assertEquals(200, app.create("dup", "a", "b", "2023-01-01").statusCode());
        assertJson(app.create("dup", "c", "d", "2023-02-02"), 409,
                "{\"error\":\"Conflict\",\"message\":\"An attendance record with id dup already exists\"}");
        assertEquals(List.of(List.of("dup", "a", "b", "2023-01-01")), app.rows());
    }

    @Test
    void aBodyOverTheLimitIs413Json() throws IOException {
        String tooLarge = "{\"error\":\"Content Too Large\",\"message\":\"The request body is larger than the limit of 1048576 bytes\"}";
        String empty = TestApp.record("big", "", "b", "2023-01-01");
        String big = TestApp.record("big", "x".repeat(1_048_577 - empty.length()), "b", "2023-01-01"); // one byte over
        assertEquals(1_048_577, big.length());
        // With a Content-Length: refused before the body is read. Sent by hand with only the body's first bytes
        // (Jetty dispatches once content arrives): a client still sending 1 MiB when the server answers and
        // closes could see a reset instead of the answer.
        RawHttp.Response early = RawHttp.send(app.app.port(), ("POST " + V1 + "/create HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + big.length()).getBytes(StandardCharsets.US_ASCII),
                out -> out.write(big.substring(0, 16).getBytes(StandardCharsets.US_ASCII)));
        assertEquals("HTTP/1.1 413 Payload Too Large|application/json|" + tooLarge + "\n",
                early.statusLine() + "|" + early.header("Content-Type") + "|" + early.body());
        // Chunked: no Content-Length to check up front, so it is counted while read.
        assertJson(app.send(HttpRequest.newBuilder(URI.create(app.url(V1 + "/create")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes())))), 413, tooLarge);
        assertEquals(List.of(), app.rows());
        // The limit itself is accepted.
        String atLimit = big.replaceFirst("x", "");
        assertEquals(200, create(atLimit).statusCode());
    }

    // ---- dates

    static Stream<Arguments> acceptedDates() {
        return Stream.of(
                Arguments.of("2023-01-02", "2023-01-02"),
                Arguments.of("2023-1-2", "2023-01-02"),
                Arguments.of("01/02/2023", "2023-01-02"),
                Arguments.of("2023/01/02", "2023-01-02"),
                Arguments.of("Jan 8 2023", "2023-01-08"),
                Arguments.of("20230108", "2023-01-08"),
                Arguments.of(" 2023-01-10 ", "2023-01-10"),
                Arguments.of("2023-01-02T10:11:12Z", "2023-01-02"),
                Arguments.of("epoch", "1970-01-01"),
                Arguments.of("today", null));
    }

    @ParameterizedTest
    @MethodSource("acceptedDates")
    void everyDateFormPostgresqlAcceptsIsStored(String input, String stored) {
        String expected = stored != null ? stored : databaseToday();
        assertEquals(200, app.create("d1", "a", "b", input).statusCode());
        assertEquals(List.of(List.of("d1", "a", "b", expected)), app.rows());
    }

    private static String databaseToday() {
        return app.column("SELECT CURRENT_DATE::text").get(0);
    }

    static Stream<Arguments> refusedDates() {
        String unparsable = "[\"date is not a date PostgreSQL accepts; send yyyy-MM-dd, e.g. 2023-01-31\"]";
        return Stream.of(
                Arguments.of("2023-02-30", unparsable),
                Arguments.of("2023-13-01", unparsable),
                Arguments.of("13/01/2023", unparsable),
                Arguments.of("", unparsable),
                Arguments.of("not a date", unparsable),
                Arguments.of("infinity", "[\"date must be a calendar date, not infinity\"]"),
                Arguments.of("-infinity", "[\"date must be a calendar date, not -infinity\"]"),
                Arguments.of("10000-01-01", "[\"date must be between 0001-01-01 and 9999-12-31\"]"));
    }

    @ParameterizedTest
    @MethodSource("refusedDates")
    void aDatePostgresqlRefusesIs400WithDetails(String input, String details) {
        assertJson(app.create("d2", "a", "b", input), 400, "{\"error\":\"Validation Error\",\"details\":" + details + "}");
        assertEquals(List.of(), app.rows());
    }

    @Test
    void infiniteDatesAlreadyStoredReadBackAsPythonsDateMinAndMax() {
        app.sql("INSERT INTO records VALUES ('inf', 'a', 'b', 'infinity'), ('-inf', 'c', 'd', '-infinity')");
        assertJson(app.get(V1 + "/search?id=inf"), 200, TestApp.record("inf", "a", "b", "Fri, 31 Dec 9999 00:00:00 GMT"));
        assertJson(app.get(V1 + "/search?id=-inf"), 200, TestApp.record("-inf", "c", "d", "Mon, 01 Jan 0001 00:00:00 GMT"));
    }

    @Test
    void aNullDateIsJsonNull() {
        app.sql("INSERT INTO records VALUES ('nd', 'a', 'b', NULL)");
        assertJson(app.get(V1 + "/search?id=nd"), 200, "{\"id\":\"nd\",\"name\":\"a\",\"status\":\"b\",\"date\":null}");
        assertJson(app.get(V1 + "/search/all"), 200, "[{\"id\":\"nd\",\"name\":\"a\",\"status\":\"b\",\"date\":null}]");
    }

    @Test
    void textIsEscapedAsPythonsJsonDumpsDoes() throws Exception {
        String name = "Zo\u00eb \u00c5 \ud83d\ude00 \"q\" back\\slash\nnew\ttab\u0001\u001f\u007f/";
        Map<String, String> body = new java.util.LinkedHashMap<>();
        body.put("id", "\u00e9");
        body.put("name", name);
        body.put("status", "\u2713");
        body.put("date", "2023-01-01");
        assertEquals(200, create(JSON_WRITER.writeValueAsString(body)).statusCode());
        assertJson(app.get(V1 + "/search?id=%C3%A9"), 200, "{\"id\":\"\\u00e9\",\"name\":\"Zo\\u00eb \\u00c5 \\ud83d\\ude00 "
                + "\\\"q\\\" back\\\\slash\\nnew\\ttab\\u0001\\u001f\u007f/\",\"status\":\"\\u2713\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}");
        assertEquals(Arrays.asList("\u00e9", name, "\u2713", "2023-01-01"), app.rows().get(0));
    }

    @Test
    void theIsoDateFormatSwitchWritesYyyyMmDd() {
        iso.reset();
        assertEquals(200, iso.create("iso1", "a", "b", "01/02/2023").statusCode());
        assertJson(iso.get(V1 + "/search?id=iso1"), 200, TestApp.record("iso1", "a", "b", "2023-01-02"));
        assertJson(iso.get(V1 + "/search/all"), 200, "[" + TestApp.record("iso1", "a", "b", "2023-01-02") + "]");
    }

    // ---- README "Deliberate differences from the Flask service". Each row is proven once:
    //   unknown id: searchForAnUnknownIdIs404Json; existing id: createWithAnExistingIdIs409;
    //   invalid date, infinity: aDatePostgresqlRefusesIs400WithDetails (+ below); empty id: createWithAnInvalidBodyIs400WithDetails;
    //   Content-Type: createWithAMissingOrNonJsonContentTypeIs415Json; body over the limit: aBodyOverTheLimitIs413Json;
    //   PostgreSQL unreachable at start-up: JarCommandLineIT.unreachablePostgresLogsEachRetryThenExitsWithOneClearLine;
    //   PostgreSQL restarts: PostgresFaultTest; Redis down or hanging: RedisFaultTest; the cache rows: CacheTest;
    //   the others here.

    @Test
    void differenceSqlInTheSearchIdIsTreatedAsAnId() {
        app.create("1", "John", "Present", "2023-01-01");
        String injection = "1' OR '1'='1";
        String encoded = "1%27%20OR%20%271%27%3D%271";
        assertJson(app.get(V1 + "/search?id=" + encoded), 404,
                "{\"error\":\"Not Found\",\"message\":\"No attendance record found for id: 1' OR '1'='1\"}");
        assertJson(app.get(V1 + "/search?id=" + "x%27%20UNION%20SELECT%20version(),current_user,%27a%27,NULL--"), 404,
                "{\"error\":\"Not Found\",\"message\":\"No attendance record found for id: x' UNION SELECT version(),current_user,'a',NULL--\"}");
        assertEquals(200, app.create(injection, "Mallory", "Absent", "2023-01-01").statusCode());
        assertJson(app.get(V1 + "/search?id=" + encoded), 200, TestApp.record(injection, "Mallory", "Absent", "Sun, 01 Jan 2023 00:00:00 GMT"));
        assertEquals(List.of(List.of("1", "John", "Present", "2023-01-01"), List.of(injection, "Mallory", "Absent", "2023-01-01")),
                app.rows());
    }

    @Test
    void differenceARefusedCreateLeavesEveryRouteWorking() {
        assertEquals(200, app.create("1", "John", "Present", "2023-01-01").statusCode());
        assertEquals(409, app.create("1", "John", "Present", "2023-01-01").statusCode());
        assertEquals(400, app.create("2", "Ann", "Present", "2023-02-30").statusCode());
        assertEquals(400, app.create("3", "Bob", "Present", "not a date").statusCode());
        for (int i = 0; i < 3; i++) { // more than one pooled connection
            assertJson(app.get(V1 + "/health"), 200, HEALTHY);
            assertJson(app.get(V1 + "/search?id=1"), 200, TestApp.record("1", "John", "Present", "Sun, 01 Jan 2023 00:00:00 GMT"));
        }
        assertEquals(200, app.get(V1 + "/health/detail").statusCode());
        assertJson(app.create("2", "Ann", "Present", "2023-02-28"), 200, "{\"message\":\"Successfully created the record for the employee id: $2\"}");
        assertEquals(2, app.rows().size());
    }

    @Test
    void differenceA400FromSearchWithoutIdIsNotServedToTheNextSearch() {
        app.create("1", "John", "Present", "2023-01-01");
        assertJson(app.get(V1 + "/search"), 400, MISSING_ID);
        assertJson(app.get(V1 + "/search?id=1"), 200, TestApp.record("1", "John", "Present", "Sun, 01 Jan 2023 00:00:00 GMT"));
        assertJson(app.get(V1 + "/search"), 400, MISSING_ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+infinity", " Infinity "}) // (infinity and -infinity: refusedDates)
    void differenceInfiniteDatesAreRefused(String date) {
        assertJson(app.create("inf", "a", "b", date), 400,
                "{\"error\":\"Validation Error\",\"details\":[\"date must be a calendar date, not " + date.strip() + "\"]}");
        assertEquals(List.of(), app.rows());
    }
}
