package org.otmicroservices.attendance.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordQueryTest {
    private static Map<String, List<String>> q(String... keyValues) {
        Map<String, List<String>> params = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            params.computeIfAbsent(keyValues[i], k -> new java.util.ArrayList<>()).add(keyValues[i + 1]);
        }
        return params;
    }

    @Test
    void onlyNonEmptyFilterValuesMakeASearchFiltered() {
        assertTrue(RecordQuery.hasFilter(q("name", "a")));
        assertFalse(RecordQuery.hasFilter(q("name", "", "status", "")));
        assertFalse(RecordQuery.hasFilter(q("limit", "5", "after", "x", "id", "1")));
    }

    @Test
    void datesAreStrictIsoCalendarDates() {
        assertEquals(LocalDate.of(2024, 2, 29), RecordQuery.parse(q("date", "2024-02-29")).filter().date());
        for (String bad : List.of("2023-02-29", "2023-1-01", "20230101", "0000-01-01", "+2023-01-01", "2023-01-01T00:00", " 2023-01-01")) {
            ApiError e = assertThrows(ApiError.class, () -> RecordQuery.parse(q("date", bad)), bad);
            assertEquals(400, e.status());
        }
    }

    @Test
    void limitIsOneToTenThousandAndNeverEmpty() {
        assertEquals(1, RecordQuery.parsePage(q("limit", "1")).limit());
        assertEquals(10_000, RecordQuery.parsePage(q("limit", "10000")).limit());
        assertNull(RecordQuery.parsePage(q("after", "x")).limit());
        // An empty limit would otherwise read as no limit at all: every row, to a client that meant to page.
        for (String bad : List.of("", "0", "10001", "99999999999", "1e3", "-5", "five")) {
            assertThrows(ApiError.class, () -> RecordQuery.parsePage(q("limit", bad)), bad);
        }
    }

    @Test
    void everyProblemIsCollected() {
        ApiError e = assertThrows(ApiError.class,
                () -> RecordQuery.parse(q("from", "x", "to", "y", "limit", "0", "name", "a", "name", "b")));
        assertEquals(4, e.details().size(), e.details().toString());
    }

    @Test
    void theSummaryRangeIgnoresOtherParameters() {
        RecordQuery.Filter range = RecordQuery.parseRange(q("from", "2023-01-01", "status", "\u0000", "limit", "x"));
        assertEquals(new RecordQuery.Filter(null, null, LocalDate.of(2023, 1, 1), null, null), range);
    }
}
