package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PaginationTest {
    @RegisterExtension
    static final TestApp app = new TestApp();
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");
    private static final int ROWS = 1000;

    /**
     * 1,000 ids whose order differs between byte order and the ICU collation the official postgres image uses
     * (digits, cases, punctuation): the keyset must follow ORDER BY id in the column's collation, whatever it is.
     */
    @BeforeAll
    static void mixedIdsUnderAnIcuCollation() {
        app.sql("ALTER TABLE records ALTER COLUMN id TYPE text COLLATE \"en-US-x-icu\"");
        app.sql("""
                INSERT INTO records (id, name, status, date)
                SELECT (ARRAY['', 'a', 'B', '_', 'b-', 'Z'])[1 + n %% 6] || n,
                       'Name ' || n, CASE WHEN n %% 3 = 0 THEN 'Absent' ELSE 'Present' END,
                       DATE '2023-01-01' + n %% 30
                FROM generate_series(1, %d) AS n""".formatted(ROWS));
    }

    @Test
    void walkingEveryPageYieldsTheWholeTableInOrderWithoutGapsOrRepeats() {
        List<String> expected = app.column("SELECT id FROM records ORDER BY id");
        assertNotEquals(expected.stream().sorted().toList(), expected, "the collation must differ from byte order for this test");

        List<String> walked = walk("/api/v1/attendance/search/all?limit=37", 37);
        assertEquals(ROWS, walked.size());
        assertEquals(ROWS, new HashSet<>(walked).size(), "no id twice");
        assertEquals(expected, walked);
        assertEquals(expected, TestJson.ids(app.get("/api/v1/attendance/search/all").body()), "unpaged: everything, as Flask");
    }

    @Test
    void filteredSearchPagesKeepTheirFiltersInTheNextLink() {
        List<String> expected = app.column("SELECT id FROM records WHERE status = 'Absent' AND date >= '2023-01-10' ORDER BY id");
        List<String> walked = walk("/api/v1/attendance/search?status=Absent&from=2023-01-10&limit=25", 25);
        assertEquals(expected, walked);
    }

    @Test
    void aPageThatEndsExactlyAtTheLastRowHasNoNextLink() {
        long absent = app.count("SELECT count(*) FROM records WHERE status = 'Absent'");
        HttpResponse<String> r = app.get("/api/v1/attendance/search?status=Absent&limit=" + absent);
        assertEquals(absent, TestJson.ids(r.body()).size());
        assertTrue(r.headers().firstValue("Link").isEmpty(), "no Link on the last page");
        HttpResponse<String> shorter = app.get("/api/v1/attendance/search?status=Absent&limit=" + (absent - 1));
        assertTrue(shorter.headers().firstValue("Link").isPresent(), "one row remains");
    }

    @Test
    void afterWithoutLimitReturnsEveryLaterRow() {
        List<String> all = app.column("SELECT id FROM records ORDER BY id");
        String after = all.get(ROWS - 5);
        HttpResponse<String> r = app.get("/api/v1/attendance/search/all?after=" + java.net.URLEncoder.encode(after, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(all.subList(ROWS - 4, ROWS), TestJson.ids(r.body()));
        assertTrue(r.headers().firstValue("Link").isEmpty());
    }

    @Test
    void aCachedPageComesBackWithItsLinkHeader() {
        String path = "/api/v1/attendance/search/all?limit=3";
        HttpResponse<String> first = app.get(path);
        String link = first.headers().firstValue("Link").orElseThrow();
        app.sql("INSERT INTO records VALUES ('0', 'behind the back', 'Present', '2023-01-01')"); // sorts first
        try {
            HttpResponse<String> second = app.get(path);
            assertEquals(first.body(), second.body(), "served from the cache");
            assertEquals(link, second.headers().firstValue("Link").orElse("(none)"));
        } finally {
            app.sql("DELETE FROM records WHERE id = '0'");
        }
    }

    @Test
    void badPagingValuesAnswer400WithDetails() {
        for (String query : List.of("limit=0", "limit=10001", "limit=abc", "limit=-1", "limit=1.5", "limit=1&limit=2", "after=%00")) {
            HttpResponse<String> r = app.get("/api/v1/attendance/search/all?" + query);
            assertEquals(400, r.statusCode(), query);
            JsonNode body = TestJson.parse(r.body());
            assertEquals("Validation Error", body.get("error").asText(), query);
            String detail = body.get("details").get(0).asText();
            // A NUL is refused for every route before the parameters are read (QueryGuard), naming the parameter.
            assertTrue(detail.startsWith(query.startsWith("limit") ? "limit" : "after must not contain NUL"), query + ": " + detail);
        }
        assertEquals(400, app.get("/api/v1/attendance/search?status=Present&limit=0").statusCode());
        assertEquals(200, app.get("/api/v1/attendance/search/all?limit=10000").statusCode());
    }

    /** Follows rel="next" from the first page and returns every id seen, checking each page's size. */
    private static List<String> walk(String firstPage, int limit) {
        List<String> ids = new ArrayList<>();
        String next = firstPage;
        for (int pages = 0; next != null; pages++) {
            assertTrue(pages <= ROWS, "the walk must end");
            HttpResponse<String> r = app.get(next);
            assertEquals(200, r.statusCode(), next + ": " + r.body());
            List<String> page = TestJson.ids(r.body());
            assertTrue(page.size() <= limit);
            ids.addAll(page);
            String link = r.headers().firstValue("Link").orElse(null);
            if (link == null) {
                next = null;
            } else {
                Matcher m = NEXT.matcher(link);
                assertTrue(m.matches(), link);
                assertEquals(limit, page.size(), "only a full page has a next");
                next = m.group(1);
                assertFalse(next.contains("after=" + "&"), next);
            }
        }
        return ids;
    }
}
