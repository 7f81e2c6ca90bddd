package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ExportTest {
    @RegisterExtension
    static final TestApp app = new TestApp();
    private static final String EXPORT = "/api/v1/attendance/export.csv";

    @BeforeEach
    void emptyTable() {
        app.reset();
    }

    @Test
    void exportsEveryRecordAsRfc4180CsvWithIsoDates() {
        app.sql("""
                INSERT INTO records VALUES ('2', 'Doe, "JJ"', 'Absent', '2023-01-02'), ('1', 'Plain', 'Present', '2023-01-01'),
                                           ('3', 'two' || chr(10) || 'lines', '', NULL)""");
        HttpResponse<String> r = app.get(EXPORT);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"), r.headers().toString());
        assertEquals("attachment; filename=\"attendance.csv\"", r.headers().firstValue("Content-Disposition").orElse(""));
        assertEquals("id,name,status,date\r\n"
                + "1,Plain,Present,2023-01-01\r\n"
                + "2,\"Doe, \"\"JJ\"\"\",Absent,2023-01-02\r\n"
                + "3,\"two\nlines\",,\r\n", r.body());
    }

    @Test
    void filtersApplyAsInSearch() {
        app.sql("""
                INSERT INTO records VALUES ('1', 'Ann', 'Present', '2023-01-01'), ('2', 'Bob', 'Absent', '2023-01-02'),
                                           ('3', 'Joanna', 'Present', '2023-01-03'), ('4', 'Anna', 'Present', '2023-01-04')""");
        assertEquals("id,name,status,date\r\n3,Joanna,Present,2023-01-03\r\n",
                app.get(EXPORT + "?status=Present&from=2023-01-02&to=2023-01-03&name=ANN").body());
        HttpResponse<String> bad = app.get(EXPORT + "?from=2023-13-01");
        assertEquals(400, bad.statusCode());
        assertEquals("application/json", bad.headers().firstValue("Content-Type").orElse(""));
        assertTrue(bad.headers().firstValue("Content-Disposition").isEmpty(), "an error is not a download");
    }

    @Test
    void aLargeExportStreamsChunkedWithEveryRow() throws IOException {
        int rows = 100_000;
        app.sql("INSERT INTO records SELECT 'id-' || n, 'Name ' || n, 'Present', DATE '2023-01-01' + n % 365"
                + " FROM generate_series(1, " + rows + ") AS n");
        HttpResponse<InputStream> r = Http.send(HttpRequest.newBuilder(URI.create(app.url(EXPORT))),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Length").isEmpty(), "not buffered to learn its length");
        assertEquals("chunked", r.headers().firstValue("Transfer-Encoding").orElse(""));
        long lines = 0;
        String last = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines++;
                last = line;
            }
        }
        assertEquals(rows + 1, lines);
        assertEquals(app.column("SELECT id || ',' || name || ',' || status || ',' || date FROM records ORDER BY id DESC LIMIT 1"),
                List.of(last));
    }

    @Test
    void headAnswersTheDownloadHeadersWithNoBody() {
        HttpResponse<String> r = app.send("HEAD", EXPORT, null, null);
        assertEquals(200, r.statusCode());
        assertEquals("attachment; filename=\"attendance.csv\"", r.headers().firstValue("Content-Disposition").orElse(""));
        assertEquals("", r.body());
    }

    @Test
    void anExportImportsBackUnchanged() {
        app.sql("""
                INSERT INTO records VALUES ('1', 'Doe, "JJ"', 'Absent', '2023-01-02'), ('2', 'two' || chr(13) || chr(10) || 'lines', '', '2023-01-01'),
                                           ('3', 'Zoë', 'Present', '2023-12-31')""");
        List<List<String>> before = app.rows();
        String csv = app.get(EXPORT).body();
        app.reset();
        HttpResponse<String> imported = app.send("POST", "/api/v1/attendance/bulk", "text/csv", csv);
        assertEquals(200, imported.statusCode(), imported.body());
        assertEquals(before, app.rows());
    }
}
