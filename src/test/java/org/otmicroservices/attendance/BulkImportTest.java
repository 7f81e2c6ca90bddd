package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.db.BulkImport;

class BulkImportTest {
    @RegisterExtension
    static final TestApp app = new TestApp();
    private static final String BULK = "/api/v1/attendance/bulk";

    @BeforeEach
    void emptyTable() {
        app.reset();
    }

    private static HttpResponse<String> csv(String query, String body) {
        return app.send("POST", BULK + query, "text/csv", body);
    }

    private static HttpResponse<String> json(String query, String body) {
        return app.send("POST", BULK + query, "application/json", body);
    }

    private static List<String> details(HttpResponse<String> r) {
        return TestJson.texts(TestJson.parse(r.body()).get("details"));
    }

    @Test
    void aHundredThousandCsvRowsImportInOneRequest() {
        StringBuilder body = new StringBuilder("id,name,status,date\r\n");
        for (int i = 1; i <= BulkImport.MAX_ROWS; i++) {
            body.append("emp-").append(i).append(",\"Doe, Jane ").append(i).append("\",")
                    .append(i % 4 == 0 ? "Absent" : "Present").append(",2023-01-").append(String.format("%02d", 1 + i % 28)).append("\r\n");
        }
        assertTrue(body.length() > 4 * 1024 * 1024, "well over server.max_body_bytes");
        long start = System.nanoTime();
        HttpResponse<String> r = csv("", body.toString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("bulk import: %,d CSV rows (%,d bytes) in %,d ms%n", BulkImport.MAX_ROWS, body.length(), millis);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"inserted\":100000,\"updated\":0,\"skipped\":0}\n", r.body());
        assertEquals(100_000, app.count("SELECT count(*) FROM records"));
        assertEquals(25_000, app.count("SELECT count(*) FROM records WHERE status = 'Absent'"));
        assertEquals(List.of("emp-77", "Doe, Jane 77", "Present", "2023-01-22"),
                app.rows().stream().filter(row -> row.get(0).equals("emp-77")).findFirst().orElseThrow());
    }

    @Test
    void aJsonArrayIsImportedWithDatesParsedAsCreateParsesThem() {
        HttpResponse<String> r = json("", "[" + TestApp.record("1", "Zoë \"Z\" O'Neil", "Present", "01/02/2023") + ","
                + "{\"id\":\"2\",\"name\":\"Tab\\there\\\\back\\nslash\",\"status\":\"\",\"date\":\" 2023-01-10 \"}," + TestApp.record("3", "", "Absent", "Jan 8 2023") + "]");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"inserted\":3,\"updated\":0,\"skipped\":0}\n", r.body());
        assertEquals(List.of(
                List.of("1", "Zoë \"Z\" O'Neil", "Present", "2023-01-02"),
                List.of("2", "Tab\there\\back\nslash", "", "2023-01-10"),
                List.of("3", "", "Absent", "2023-01-08")), app.rows());
    }

    @Test
    void csvFollowsRfc4180QuotingWithTheHeaderInAnyOrderAndABom() {
        String body = "\uFEFFname,id,date,status\n"
                + "\"Doe, John\",1,2023-01-01,Present\n"
                + "\"Say \"\"hi\"\"\",2,2023-01-02,Absent\n"
                + "\"two\r\nlines\",3,2023-01-03,\n";
        HttpResponse<String> r = csv("", body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of(
                List.of("1", "Doe, John", "Present", "2023-01-01"),
                List.of("2", "Say \"hi\"", "Absent", "2023-01-02"),
                List.of("3", "two\r\nlines", "", "2023-01-03")), app.rows());
    }

    @Test
    void oneBadRowAtTheEndRollsBackEveryRow() {
        app.sql("INSERT INTO records VALUES ('keep', 'Kept', 'Present', '2023-01-01')");
        StringBuilder body = new StringBuilder("id,name,status,date\n");
        for (int i = 1; i < 1000; i++) {
            body.append(i).append(",N,Present,2023-01-01\n");
        }
        body.append("1000,N,Present,2023-02-30\n");
        HttpResponse<String> r = csv("?on_conflict=skip", body.toString());
        assertEquals(400, r.statusCode());
        assertEquals(List.of("row 1000: date is not a date PostgreSQL accepts; send yyyy-MM-dd, e.g. 2023-01-31"), details(r));
        assertEquals(List.of(List.of("keep", "Kept", "Present", "2023-01-01")), app.rows(), "nothing landed");
    }

    @Test
    void everyProblemIsNamedByRowAndField() {
        HttpResponse<String> r = json("", "[" + String.join(",",
                TestApp.record("1", "A", "Present", "2023-01-01"),
                "{\"id\":\"2\",\"name\":\"B\",\"status\":\"Present\"}",
                "{\"id\":3,\"name\":\"C\",\"status\":\"Present\",\"date\":\"2023-01-01\"}",
                TestApp.record("4", "D", "Present", "2023-01-01"),
                TestApp.record("5", "E", "Present", "2023-02-30"),
                TestApp.record("6", "F", "Present", "10000-01-01"),
                TestApp.record("1", "G", "Present", "2023-01-01"),
                TestApp.record("8", "H", "Present", "infinity"),
                TestApp.record("", "I", "Present", "2023-01-01"),
                "\"not an object\"") + "]");
        assertEquals(400, r.statusCode());
        assertEquals(List.of(
                "row 2: date is required",
                "row 3: id must be a string, not number",
                "row 5: date is not a date PostgreSQL accepts; send yyyy-MM-dd, e.g. 2023-01-31",
                "row 6: date must be between 0001-01-01 and 9999-12-31",
                "row 7: id \"1\" repeats the id of row 1",
                "row 8: date must be a calendar date, not infinity",
                "row 9: id must not be empty",
                "row 10: a record must be a JSON object with id, name, status and date, not string"), details(r));
        assertEquals(0, app.rows().size());
    }

    @Test
    void problemsStopAtAHundred() {
        StringBuilder body = new StringBuilder("id,name,status,date\n");
        for (int i = 1; i <= 150; i++) {
            body.append(i).append(",N,Present,not a date\n");
        }
        List<String> details = details(csv("", body.toString()));
        assertEquals(101, details.size());
        assertEquals("row 1: date is not a date PostgreSQL accepts; send yyyy-MM-dd, e.g. 2023-01-31", details.get(0));
        assertEquals("row 100: date is not a date PostgreSQL accepts; send yyyy-MM-dd, e.g. 2023-01-31", details.get(99));
        assertEquals("(stopped after 100 problems)", details.get(100));
    }

    @Test
    void onConflictErrorIsTheDefaultAnswers409ListingTheIdsAndImportsNothing() {
        app.sql("INSERT INTO records VALUES ('1', 'Old', 'Present', '2023-01-01'), ('3', 'Old', 'Present', '2023-01-01')");
        String body = "[" + TestApp.record("1", "New", "Absent", "2023-01-02") + "," + TestApp.record("2", "New", "Absent", "2023-01-02") + ","
                + TestApp.record("3", "New", "Absent", "2023-01-02") + "]";
        for (String query : List.of("", "?on_conflict=error")) {
            HttpResponse<String> r = json(query, body);
            assertEquals(409, r.statusCode());
            JsonNode answer = TestJson.parse(r.body());
            assertEquals("Conflict", answer.get("error").asText());
            List<String> details = details(r);
            assertTrue(details.get(0).startsWith("2 rows have ids that already exist; nothing was imported."), details.get(0));
            assertEquals(List.of("row 1: id \"1\" already exists", "row 3: id \"3\" already exists"), details.subList(1, 3));
            assertEquals(2, app.rows().size(), "no row of the import landed");
        }
    }

    @Test
    void onConflictSkipKeepsTheExistingRecords() {
        app.sql("INSERT INTO records VALUES ('1', 'Old', 'Present', '2023-01-01')");
        HttpResponse<String> r = csv("?on_conflict=skip", "id,name,status,date\n1,New,Absent,2023-01-02\n2,New,Absent,2023-01-02\n");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"inserted\":1,\"updated\":0,\"skipped\":1}\n", r.body());
        assertEquals(List.of(List.of("1", "Old", "Present", "2023-01-01"), List.of("2", "New", "Absent", "2023-01-02")), app.rows());
    }

    @Test
    void onConflictUpdateReplacesTheExistingRecords() {
        app.sql("INSERT INTO records VALUES ('1', 'Old', 'Present', '2023-01-01')");
        HttpResponse<String> r = csv("?on_conflict=update", "id,name,status,date\n1,New,Absent,2023-01-02\n2,New,Absent,2023-01-02\n");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"inserted\":1,\"updated\":1,\"skipped\":0}\n", r.body());
        assertEquals(List.of(List.of("1", "New", "Absent", "2023-01-02"), List.of("2", "New", "Absent", "2023-01-02")), app.rows());
    }

    @Test
    void anImportInvalidatesCachedReads() {
        assertEquals(List.of(), TestJson.ids(app.get("/api/v1/attendance/search/all").body()));
        assertEquals(200, csv("", "id,name,status,date\n1,A,Present,2023-01-01\n").statusCode());
        assertEquals(List.of("1"), TestJson.ids(app.get("/api/v1/attendance/search/all").body()));
    }

    @Test
    void malformedBodiesAreRefusedWithTheirReason() {
        assertEquals(List.of("the first CSV line must be the header id,name,status,date (got \"id,name,date\")"),
                details(csv("", "id,name,date\n1,A,2023-01-01\n")));
        assertEquals(List.of("row 2: expected 4 fields (id,name,status,date), got 3"),
                details(csv("", "id,name,status,date\n1,A,Present,2023-01-01\n2,B,Present\n")));
        List<String> unclosed = details(csv("", "id,name,status,date\n1,A,Present,2023-01-01\n2,\"B,Present,2023-01-01\n"));
        assertTrue(unclosed.get(0).startsWith("row 2: the CSV is malformed"), unclosed.toString());
        assertEquals(List.of("body must be a JSON array of records (objects with id, name, status and date)"),
                details(json("", TestApp.record("1", "A", "Present", "2023-01-01"))));
        assertTrue(details(json("", "[" + TestApp.record("1", "A", "Present", "2023-01-01") + ",")).get(0).startsWith("row 1: body is not valid JSON")
                || details(json("", "[" + TestApp.record("1", "A", "Present", "2023-01-01") + ",")).get(0).startsWith("body is not valid JSON"));
        assertEquals(List.of("on_conflict must be error, skip or update"), details(json("?on_conflict=replace", "[]")));
        assertEquals(415, app.send("POST", BULK, "text/plain", "id,name,status,date\n").statusCode());
        assertEquals(415, app.send("POST", BULK, "text/csv; charset=iso-8859-1", "id,name,status,date\n").statusCode());
        assertEquals("{\"inserted\":0,\"updated\":0,\"skipped\":0}\n", json("", "[]").body());
        assertEquals(0, app.rows().size());
    }

    @Test
    void moreThanAHundredThousandRowsAreRefused() {
        StringBuilder body = new StringBuilder("id,name,status,date\n");
        for (int i = 0; i <= BulkImport.MAX_ROWS; i++) {
            body.append(i).append(",,,2023-01-01\n");
        }
        HttpResponse<String> r = csv("", body.toString());
        assertEquals(400, r.statusCode());
        assertEquals(List.of("an import holds at most 100000 rows; split it into several requests"), details(r));
        assertEquals(0, app.count("SELECT count(*) FROM records"));
    }
}
