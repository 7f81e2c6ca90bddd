package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BulkBodyLimitTest {
    /** Small limits, so the test need not send megabytes: 1 KiB for other bodies, 4 KiB for bulk. */
    @RegisterExtension
    static final TestApp app = new TestApp(c -> TestConfigs.with(c, "server.max_body_bytes", 1024, "server.max_bulk_body_bytes", 4096));

    private static String csvOfSize(int bytes) {
        StringBuilder body = new StringBuilder("id,name,status,date\n");
        for (int i = 1; body.length() < bytes - 40; i++) {
            body.append(i).append(",Name,Present,2023-01-01\n");
        }
        return body.toString();
    }

    @Test
    void bulkHasItsOwnLimitAboveTheGeneralOne() {
        String body = csvOfSize(3000);
        HttpResponse<String> r = app.send("POST", "/api/v1/attendance/bulk", "text/csv", body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(413, app.send("PUT", "/api/v1/attendance/1", "application/json",
                "{\"name\":\"" + "x".repeat(1100) + "\",\"status\":\"P\",\"date\":\"2023-01-01\"}").statusCode(),
                "PUT keeps server.max_body_bytes");
    }

    @Test
    void aBulkBodyOverItsLimitIs413AndImportsNothing() {
        app.reset();
        HttpResponse<String> r = app.send("POST", "/api/v1/attendance/bulk", "text/csv", csvOfSize(5000));
        assertEquals(413, r.statusCode());
        assertEquals("{\"error\":\"Content Too Large\",\"message\":\"The request body is larger than the limit of 4096 bytes\"}\n", r.body());
        assertEquals(0, app.rows().size());
    }
}
