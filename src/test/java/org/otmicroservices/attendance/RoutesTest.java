package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RoutesTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    @BeforeEach
    void emptyTable() {
        app.reset();
    }

    @Test
    void createThenSearchReturnsTheRecordWithAnRfc1123Date() {
        HttpResponse<String> created = app.create("1", "John Doe", "Present", "2023-01-01");
        assertEquals(200, created.statusCode());
        assertEquals("{\"message\":\"Successfully created the record for the employee id: $1\"}\n", created.body());

        HttpResponse<String> found = app.get("/api/v1/attendance/search?id=1");
        assertEquals(200, found.statusCode());
        assertEquals("application/json", found.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"id\":\"1\",\"name\":\"John Doe\",\"status\":\"Present\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}\n",
                found.body());
        assertEquals(List.of(List.of("1", "John Doe", "Present", "2023-01-01")), app.rows());
    }
}
