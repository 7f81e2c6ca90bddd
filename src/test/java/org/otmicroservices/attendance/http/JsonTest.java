package org.otmicroservices.attendance.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.otmicroservices.attendance.db.HostRoles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.model.AttendanceRecord;

/** Bodies as Flask's jsonify wrote them: compact, ordered keys, \\u escapes, RFC 1123 dates (or ISO), trailing newline. */
class JsonTest {
    private final Json rfc = new Json(Config.DateFormat.RFC1123);
    private final Json iso = new Json(Config.DateFormat.ISO);

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2023-01-01 | Sun, 01 Jan 2023 00:00:00 GMT",
        "2023-01-02 | Mon, 02 Jan 2023 00:00:00 GMT",
        "2024-02-29 | Thu, 29 Feb 2024 00:00:00 GMT",
        "2023-12-09 | Sat, 09 Dec 2023 00:00:00 GMT",
        "1970-01-01 | Thu, 01 Jan 1970 00:00:00 GMT",
        "0001-01-01 | Mon, 01 Jan 0001 00:00:00 GMT",
        "9999-12-31 | Fri, 31 Dec 9999 00:00:00 GMT"})
    void datesAreRfc1123AtMidnightGmtWithZeroPaddedDays(String date, String expected) {
        assertEquals(expected, rfc.formatDate(LocalDate.parse(date)));
    }

    @ParameterizedTest
    @CsvSource({"2023-01-01", "0001-01-01", "9999-12-31", "2024-02-29"})
    void theIsoSwitchWritesYyyyMmDd(String date) {
        assertEquals(date, iso.formatDate(LocalDate.parse(date)));
    }

    @Test
    void aRecordIsCompactInFlaskKeyOrderWithATrailingNewline() {
        assertEquals("{\"id\":\"1\",\"name\":\"John Doe\",\"status\":\"Present\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}\n",
                text(rfc.record(new AttendanceRecord("1", "John Doe", "Present", LocalDate.of(2023, 1, 1)))));
        assertEquals("{\"id\":\"1\",\"name\":\"John Doe\",\"status\":\"Present\",\"date\":\"2023-01-01\"}\n",
                text(iso.record(new AttendanceRecord("1", "John Doe", "Present", LocalDate.of(2023, 1, 1)))));
    }

    @Test
    void aNullDateIsJsonNull() {
        assertEquals("{\"id\":\"1\",\"name\":\"a\",\"status\":\"b\",\"date\":null}\n",
                text(rfc.record(new AttendanceRecord("1", "a", "b", null))));
    }

    @Test
    void nonAsciiIsEscapedInLowerCaseHexAsPythonDoes() {
        assertEquals("{\"message\":\"caf\\u00e9 \\u00c9 \\u20ac \\ud83d\\ude00 \\u00ff\"}\n",
                text(rfc.bytes(new Bodies.Message("caf\u00e9 \u00c9 \u20ac \ud83d\ude00 \u00ff"))));
    }

    @Test
    void controlCharactersAndQuotesAreEscapedAsPythonDoes() {
        assertEquals("{\"message\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\u007f/<>&'\"}\n",
                text(rfc.bytes(new Bodies.Message("\"\\\b\f\n\r\t\u0001\u001f\u007f/<>&'"))));
    }

    @Test
    void errorBodiesKeepTheirKeyOrder() {
        assertEquals("{\"error\":\"Not Found\",\"message\":\"m\"}\n", text(rfc.bytes(new Bodies.Error("Not Found", "m"))));
        assertEquals("{\"error\":\"Validation Error\",\"details\":[\"a\",\"b\"]}\n",
                text(rfc.bytes(new Bodies.ValidationError("Validation Error", List.of("a", "b")))));
        assertEquals("{\"message\":\"m\",\"postgresql\":\"up\",\"redis\":\"down\",\"status\":\"up\"}\n",
                text(rfc.bytes(new Bodies.HealthDetail("m", "up", "down", "up", null, null, null))));
        assertEquals("{\"message\":\"m\",\"postgresql\":\"up\",\"redis\":\"up\",\"status\":\"up\","
                        + "\"postgresql_hosts\":[{\"host\":\"db1:5432\",\"role\":\"primary\"},{\"host\":\"db2:5432\",\"role\":\"down\"}]}\n",
                text(rfc.bytes(new Bodies.HealthDetail("m", "up", "up", "up", List.of(
                        new HostRoles.HostRole("db1:5432", "primary"), new HostRoles.HostRole("db2:5432", "down")), null, null))));
        assertEquals("{\"message\":\"m\",\"postgresql\":\"up\",\"redis\":\"up\",\"status\":\"up\","
                        + "\"redis_mode\":\"sentinel\",\"redis_master\":\"h:1\"}\n",
                text(rfc.bytes(new Bodies.HealthDetail("m", "up", "up", "up", null, "sentinel", "h:1"))));
    }

    @Test
    void aListIsAnArrayOfRecordsWithATrailingNewline() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        rfc.writeRecords(out, each -> {
            each.accept(new AttendanceRecord("1", "a", "b", LocalDate.of(2023, 1, 1)));
            each.accept(new AttendanceRecord("2", "\u00e9", "c", null));
        });
        assertEquals("[{\"id\":\"1\",\"name\":\"a\",\"status\":\"b\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"},"
                + "{\"id\":\"2\",\"name\":\"\\u00e9\",\"status\":\"c\",\"date\":null}]\n", text(out.toByteArray()));
        out.reset();
        rfc.writeRecords(out, each -> { });
        assertEquals("[]\n", text(out.toByteArray()));
    }
}
