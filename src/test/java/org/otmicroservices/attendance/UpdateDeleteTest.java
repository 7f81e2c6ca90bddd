package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.http.Routes;

class UpdateDeleteTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    @BeforeEach
    void twoRecords() {
        app.reset();
        app.sql("INSERT INTO records VALUES ('1', 'John Doe', 'Present', '2023-01-01'), ('a b/c+d', 'Odd Id', 'Present', '2023-01-01')");
    }

    private static HttpResponse<String> put(String id, String json) {
        return app.send("PUT", "/api/v1/attendance/" + id, "application/json", json);
    }

    private static HttpResponse<String> delete(String id) {
        return app.send("DELETE", "/api/v1/attendance/" + id, null, null);
    }

    @Test
    void putReplacesNameStatusAndDate() {
        HttpResponse<String> r = put("1", "{\"name\":\"Jane Doe\",\"status\":\"Absent\",\"date\":\"01/02/2023\"}");
        assertEquals(200, r.statusCode());
        assertEquals("{\"message\":\"Successfully updated the record for the employee id: 1\"}\n", r.body());
        assertEquals(List.of("1", "Jane Doe", "Absent", "2023-01-02"), app.rows().get(0), "dates parsed as create parses them");
    }

    @Test
    void putOnAnUnknownIdIs404AndCreatesNothing() {
        HttpResponse<String> r = put("nope", "{\"name\":\"X\",\"status\":\"Present\",\"date\":\"2023-01-01\"}");
        assertEquals(404, r.statusCode());
        assertEquals("{\"error\":\"Not Found\",\"message\":\"No attendance record found for id: nope\"}\n", r.body());
        assertEquals(2, app.rows().size());
    }

    @Test
    void putValidatesTheBodyAsCreateDoesAndNamesEveryProblem() {
        HttpResponse<String> r = put("1", "{\"name\":7,\"status\":null,\"extra\":\"x\"}");
        assertEquals(400, r.statusCode());
        JsonNode details = TestJson.parse(r.body()).get("details");
        assertEquals(List.of("unknown key: extra", "name must be a string, not number", "status must be a string, not null",
                "date is required"), TestJson.texts(details));

        assertEquals(400, put("1", "{\"name\":\"J\",\"status\":\"P\",\"date\":\"2023-02-30\"}").statusCode());
        assertEquals(400, put("1", "{\"name\":\"J\",\"status\":\"P\",\"date\":\"infinity\"}").statusCode());
        assertEquals(400, put("1", "{\"name\":\"J\",\"status\":\"P\",\"date\":\"10000-01-01\"}").statusCode());
        assertEquals(400, put("1", "{\"id\":\"2\",\"name\":\"J\",\"status\":\"P\",\"date\":\"2023-01-01\"}").statusCode(),
                "the body may not move the record to another id");
        assertEquals(200, put("1", "{\"id\":\"1\",\"name\":\"J\",\"status\":\"P\",\"date\":\"2023-01-01\"}").statusCode(),
                "repeating the path's id is fine");
        assertEquals(415, app.send("PUT", "/api/v1/attendance/1", "text/plain", "{}").statusCode());
        assertEquals(List.of("1", "J", "P", "2023-01-01"), app.rows().get(0), "only the valid update landed");
    }

    @Test
    void deleteRemovesTheRecordThenAnswers404() {
        HttpResponse<String> r = delete("1");
        assertEquals(200, r.statusCode());
        assertEquals("{\"message\":\"Successfully deleted the record for the employee id: 1\"}\n", r.body());
        assertEquals(1, app.rows().size());
        HttpResponse<String> again = delete("1");
        assertEquals(404, again.statusCode());
        assertEquals("{\"error\":\"Not Found\",\"message\":\"No attendance record found for id: 1\"}\n", again.body());
    }

    /** Jetty refuses a %00 in the path before routing (with its own HTML page); the handlers would refuse it too. */
    @Test
    void aNulInThePathIdIs400AndTouchesNothing() {
        app.sql("INSERT INTO records VALUES ('a', 'A', 'Present', '2023-01-01')");
        assertEquals(400, delete("a%00").statusCode());
        assertEquals(400, put("a%00", "{\"name\":\"x\",\"status\":\"x\",\"date\":\"2023-01-01\"}").statusCode());
        assertEquals(3, app.rows().size());
    }

    @Test
    void idsWithSpacesSlashesAndPlusSignsAreAddressedPercentEncoded() {
        assertEquals(200, put("a%20b%2Fc+d", "{\"name\":\"Renamed\",\"status\":\"Present\",\"date\":\"2023-01-01\"}").statusCode());
        assertEquals("Renamed", app.rows().get(1).get(1));
        assertEquals(200, delete("a%20b%2Fc+d").statusCode());
        assertEquals(1, app.rows().size());
    }

    @Test
    void putAndDeleteInvalidateCachedReadsBeforeAnswering() {
        assertEquals("Present", TestJson.parse(app.get("/api/v1/attendance/search?id=1").body()).get("status").asText());
        assertEquals(2, TestJson.ids(app.get("/api/v1/attendance/search/all").body()).size());
        String summary = app.get("/api/v1/attendance/summary").body();

        assertEquals(200, put("1", "{\"name\":\"John Doe\",\"status\":\"Absent\",\"date\":\"2023-01-01\"}").statusCode());
        assertEquals("Absent", TestJson.parse(app.get("/api/v1/attendance/search?id=1").body()).get("status").asText());
        assertTrue(app.get("/api/v1/attendance/summary").body().contains("\"Absent\":1"), "summary recomputed, was " + summary);

        assertEquals(200, delete("1").statusCode());
        assertEquals(404, app.get("/api/v1/attendance/search?id=1").statusCode());
        assertEquals(List.of("a b/c+d"), TestJson.ids(app.get("/api/v1/attendance/search/all").body()));
    }

    @Test
    void aSiblingInstanceSeesTheUpdateAtOnce() {
        try (App sibling = app.startSibling()) {
            String siblingSearch = "http://127.0.0.1:" + sibling.port() + "/api/v1/attendance/search?id=1";
            assertEquals("Present", TestJson.parse(Http.get(siblingSearch).body()).get("status").asText());
            assertEquals(200, put("1", "{\"name\":\"John Doe\",\"status\":\"Absent\",\"date\":\"2023-01-01\"}").statusCode());
            assertEquals("Absent", TestJson.parse(Http.get(siblingSearch).body()).get("status").asText());
        }
    }

    @Test
    void wrongMethodsOnTheFixedPathsStay405() {
        app.sql("INSERT INTO records VALUES ('search', 'Not a route', 'Present', '2023-01-01')");
        for (String path : List.of("health", "create", "search", "bulk", "export.csv", "summary")) {
            for (String method : List.of("PUT", "DELETE")) {
                HttpResponse<String> r = app.send(method, "/api/v1/attendance/" + path, "application/json",
                        method.equals("PUT") ? "{\"name\":\"x\",\"status\":\"x\",\"date\":\"2023-01-01\"}" : null);
                assertEquals(405, r.statusCode(), method + " " + path);
                String allow = r.headers().firstValue("Allow").orElse("");
                assertEquals(app.send("OPTIONS", "/api/v1/attendance/" + path, null, null).headers().firstValue("Allow").orElse("?"),
                        allow, "405 lists what OPTIONS lists on " + path);
            }
        }
        assertEquals(3, app.rows().size(), "the record with id 'search' was neither updated nor deleted");
        assertEquals("OPTIONS, PUT, DELETE", app.send("OPTIONS", "/api/v1/attendance/1", null, null)
                .headers().firstValue("Allow").orElse(""));
        assertEquals(405, app.send("POST", "/api/v1/attendance/search", "application/json", "{}").statusCode());
        assertEquals(404, app.get("/api/v1/attendance/health/").statusCode(), "a trailing slash still matches nothing");
    }

    @Test
    void readsAndPostsOnAnUnknownOneSegmentPathStay404AsInFlask() {
        for (String method : List.of("GET", "HEAD", "POST")) {
            HttpResponse<String> r = app.send(method, "/api/v1/attendance/nope", "application/json", method.equals("POST") ? "{}" : null);
            assertEquals(404, r.statusCode(), method);
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), method);
        }
        assertEquals("{\"error\":\"Not Found\",\"message\":\"No route for GET /api/v1/attendance/nope\"}\n",
                app.get("/api/v1/attendance/nope").body());
    }

    @Test
    void everyOneSegmentPathOfTheSpecIsProtectedFromTheIdRoute() {
        JsonNode paths = TestJson.parse(app.get("/openapi.json").body()).get("paths");
        paths.fieldNames().forEachRemaining(path -> {
            String rest = path.startsWith(Routes.V1 + "/") ? path.substring(Routes.V1.length() + 1) : "";
            if (!rest.isEmpty() && !rest.contains("/") && !rest.equals("{id}")) {
                assertEquals(405, app.send("DELETE", path, null, null).statusCode(), path + " must be in Routes.FIXED");
            }
        });
    }

}
