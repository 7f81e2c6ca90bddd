package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SummaryTest {
    @RegisterExtension
    static final TestApp app = new TestApp();
    private static final String SUMMARY = "/api/v1/attendance/summary";

    @BeforeEach
    void emptyTable() {
        app.reset();
    }

    @Test
    void oneObjectPerDateWithItsTotalAndCountsPerStatus() {
        app.sql("""
                INSERT INTO records VALUES ('1', 'A', 'Present', '2023-01-01'), ('2', 'B', 'Absent', '2023-01-01'),
                                           ('3', 'C', 'Present', '2023-01-01'), ('4', 'D', 'Late', '2023-01-03')""");
        HttpResponse<String> r = app.get(SUMMARY);
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("[{\"date\":\"2023-01-01\",\"total\":3,\"by_status\":{\"Absent\":1,\"Present\":2}},"
                + "{\"date\":\"2023-01-03\",\"total\":1,\"by_status\":{\"Late\":1}}]\n", r.body());
    }

    @Test
    void totalsMatchADirectCountOverManyRows() {
        app.sql("""
                INSERT INTO records
                SELECT n, 'Name ' || n, (ARRAY['Present', 'Absent', 'Late', 'Present'])[1 + n % 4], DATE '2023-01-01' + n % 45
                FROM generate_series(1, 5000) AS n""");
        app.sql("INSERT INTO records VALUES ('null-date', 'X', 'Present', NULL), ('inf', 'Y', 'Present', 'infinity')");
        JsonNode days = TestJson.parse(app.get(SUMMARY + "?from=2023-01-10&to=2023-02-05").body());

        List<String> expectedDates = app.column("SELECT DISTINCT date FROM records WHERE date BETWEEN '2023-01-10' AND '2023-02-05' ORDER BY date");
        List<String> dates = new ArrayList<>();
        long sum = 0;
        for (JsonNode day : days) {
            String date = day.get("date").asText();
            dates.add(date);
            long total = day.get("total").asLong();
            assertEquals(app.count("SELECT count(*) FROM records WHERE date = '" + date + "'"), total, date);
            Map<String, Long> byStatus = new LinkedHashMap<>();
            day.get("by_status").fields().forEachRemaining(e -> byStatus.put(e.getKey(), e.getValue().asLong()));
            Map<String, Long> expected = new LinkedHashMap<>();
            app.column("SELECT status || '=' || count(*) FROM records WHERE date = '" + date + "' GROUP BY status ORDER BY status")
                    .forEach(s -> expected.put(s.split("=")[0], Long.parseLong(s.split("=")[1])));
            assertEquals(expected, byStatus, date);
            assertEquals(total, byStatus.values().stream().mapToLong(Long::longValue).sum(), date);
            sum += total;
        }
        assertEquals(expectedDates, dates, "every date with records, in order, and no other");
        assertEquals(app.count("SELECT count(*) FROM records WHERE date BETWEEN '2023-01-10' AND '2023-02-05'"), sum);

        JsonNode all = TestJson.parse(app.get(SUMMARY).body());
        long allSum = 0;
        for (JsonNode day : all) {
            allSum += day.get("total").asLong();
        }
        assertEquals(45, all.size(), "NULL and infinite dates are not days");
        assertEquals(5000, allSum);
    }

    @Test
    void theSummaryIsCachedAndAWriteInvalidatesIt() {
        app.sql("INSERT INTO records VALUES ('1', 'A', 'Present', '2023-01-01')");
        String first = app.get(SUMMARY).body();
        app.sql("INSERT INTO records VALUES ('2', 'B', 'Present', '2023-01-01')"); // behind the service's back
        assertEquals(first, app.get(SUMMARY).body(), "served from the cache");
        assertEquals(200, app.create("3", "C", "Absent", "2023-01-01").statusCode());
        assertEquals("[{\"date\":\"2023-01-01\",\"total\":3,\"by_status\":{\"Absent\":1,\"Present\":2}}]\n", app.get(SUMMARY).body());
    }

    @Test
    void badDatesAnswer400WithDetails() {
        HttpResponse<String> r = app.get(SUMMARY + "?from=2023-1-1&to=tomorrow");
        assertEquals(400, r.statusCode());
        JsonNode details = TestJson.parse(r.body()).get("details");
        assertEquals(2, details.size(), r.body());
        assertTrue(details.get(0).asText().startsWith("from must be a date as yyyy-MM-dd"), r.body());
        assertTrue(details.get(1).asText().startsWith("to must be a date as yyyy-MM-dd"), r.body());
        assertEquals("[]\n", app.get(SUMMARY + "?from=2023-01-01&to=2023-01-31").body());
    }
}
