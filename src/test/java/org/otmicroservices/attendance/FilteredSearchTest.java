package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FilteredSearchTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    @BeforeEach
    void sixRecords() {
        app.reset();
        app.sql("""
                INSERT INTO records (id, name, status, date) VALUES
                  ('1', 'Ann Smith', 'Present', '2023-01-01'),
                  ('2', 'Bob', 'Absent', '2023-01-01'),
                  ('3', 'JOANNA', 'Present', '2023-01-02'),
                  ('4', 'Carl', 'Present', '2023-01-03'),
                  ('5', '100%_sure', 'Absent', '2023-01-03'),
                  ('6', 'Dana', 'Present', NULL)""");
    }

    @Test
    void statusFilterListsTheMatchingRecordsOrderedById() {
        HttpResponse<String> r = app.get("/api/v1/attendance/search?status=Present");
        assertEquals(200, r.statusCode());
        assertEquals(List.of("1", "3", "4", "6"), TestJson.ids(r.body()));
        JsonNode first = TestJson.parse(r.body()).get(0);
        assertEquals("{\"id\":\"1\",\"name\":\"Ann Smith\",\"status\":\"Present\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}",
                first.toString(), "records are written as search?id writes them");
    }

    @Test
    void filtersCombineWithAnd() {
        assertEquals(List.of("3", "4"), TestJson.ids(app.get(
                "/api/v1/attendance/search?status=Present&from=2023-01-02&to=2023-01-03").body()));
        assertEquals(List.of("3"), TestJson.ids(app.get(
                "/api/v1/attendance/search?status=Present&from=2023-01-02&to=2023-01-03&name=ann").body()));
        assertEquals(List.of("5"), TestJson.ids(app.get(
                "/api/v1/attendance/search?status=Absent&date=2023-01-03").body()));
        assertEquals(List.of(), TestJson.ids(app.get(
                "/api/v1/attendance/search?status=Absent&date=2023-01-02").body()));
    }

    @Test
    void dateIsExactAndFromToAreInclusive() {
        assertEquals(List.of("1", "2"), TestJson.ids(app.get("/api/v1/attendance/search?date=2023-01-01").body()));
        assertEquals(List.of("1", "2", "3"), TestJson.ids(app.get("/api/v1/attendance/search?to=2023-01-02").body()));
        assertEquals(List.of("3", "4", "5"), TestJson.ids(app.get("/api/v1/attendance/search?from=2023-01-02").body()));
        assertEquals(List.of("3"), TestJson.ids(app.get("/api/v1/attendance/search?from=2023-01-02&to=2023-01-02").body()));
    }

    @Test
    void nameIsACaseInsensitiveSubstringAndLikeWildcardsAreLiteral() {
        assertEquals(List.of("1", "3"), TestJson.ids(app.get("/api/v1/attendance/search?name=ANN").body()));
        assertEquals(List.of("5"), TestJson.ids(app.get("/api/v1/attendance/search?name=%25").body()));
        assertEquals(List.of("5"), TestJson.ids(app.get("/api/v1/attendance/search?name=_").body()));
        assertEquals(List.of("1"), TestJson.ids(app.get("/api/v1/attendance/search?name=n%20s").body()));
    }

    @Test
    void withAnIdTheFiltersAreIgnoredAsBefore() {
        HttpResponse<String> r = app.get("/api/v1/attendance/search?id=2&status=Present");
        assertEquals(200, r.statusCode());
        assertEquals("{\"id\":\"2\",\"name\":\"Bob\",\"status\":\"Absent\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}\n", r.body());
        assertEquals(404, app.get("/api/v1/attendance/search?id=nope&status=Present").statusCode());
    }

    @Test
    void withNeitherIdNorFilterTheFlask400Stays() {
        for (String query : List.of("", "?foo=bar", "?status=", "?id=", "?limit=5", "?id=&name=")) {
            HttpResponse<String> r = app.get("/api/v1/attendance/search" + query);
            assertEquals(400, r.statusCode(), query);
            assertEquals("{\"message\":\"Unable to process request, please check query params \"}\n", r.body(), query);
        }
    }

    @Test
    void anEmptyIdWithAFilterLists() {
        assertEquals(List.of("2", "5"), TestJson.ids(app.get("/api/v1/attendance/search?id=&status=Absent").body()));
    }

    /** (A NUL in any query parameter is refused before the filters are read: QueryGuard, BadInputTest.) */
    @Test
    void badFiltersAnswer400NamingEachOne() {
        HttpResponse<String> r = app.get("/api/v1/attendance/search?date=2023-1-2&from=2023-02-30&to=01%2F02%2F2023"
                + "&status=a&status=b");
        assertEquals(400, r.statusCode());
        JsonNode body = TestJson.parse(r.body());
        assertEquals("Validation Error", body.get("error").asText());
        String details = body.get("details").toString();
        for (String named : List.of("date must be a date as yyyy-MM-dd", "from must be a date as yyyy-MM-dd",
                "to must be a date as yyyy-MM-dd", "status must be given once")) {
            assertTrue(details.contains(named), named + " in " + details);
        }
        assertEquals(4, body.get("details").size(), details);
    }

    @Test
    void fromAfterToIs400() {
        HttpResponse<String> r = app.get("/api/v1/attendance/search?from=2023-01-03&to=2023-01-01");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("from (2023-01-03) must not be after to (2023-01-01)"), r.body());
    }

    @Test
    void filteredSearchIsCachedAndAWriteThroughTheServiceInvalidatesIt() {
        String path = "/api/v1/attendance/search?status=Absent";
        assertEquals(List.of("2", "5"), TestJson.ids(app.get(path).body()));
        app.sql("INSERT INTO records VALUES ('7', 'Eve', 'Absent', '2023-01-04')"); // behind the service's back
        assertEquals(List.of("2", "5"), TestJson.ids(app.get(path).body()), "served from the cache");
        assertEquals(200, app.create("8", "Fay", "Absent", "2023-01-04").statusCode());
        assertEquals(List.of("2", "5", "7", "8"), TestJson.ids(app.get(path).body()));
    }
}
