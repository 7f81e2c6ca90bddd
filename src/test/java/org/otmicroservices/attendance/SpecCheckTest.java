package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.otmicroservices.attendance.http.SpecCheck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The check every test's responses go through does refuse what the served document does not declare. */
class SpecCheckTest {
    private static final String HEALTH = "/api/v1/attendance/health";
    private static final String JSON = "application/json";

    @RegisterExtension
    static final TestApp app = new TestApp();

    @Test
    void theDocumentCheckedAgainstIsTheOneServed() {
        JsonNode served = TestJson.parse(app.get("/openapi.json").body());
        assertEquals(served.get("paths"), SpecCheck.document().get("paths"));
        assertEquals(served.get("components"), SpecCheck.document().get("components"));
    }

    @Test
    void anAnswerAsDeclaredPasses() {
        SpecCheck.check("GET", HEALTH, 200, JSON, "{\"message\":\"Attendance API is running fine and ready to serve requests\"}");
        SpecCheck.check("GET", "/api/v1/attendance/search?id=1", 200, JSON,
                "{\"id\":\"1\",\"name\":null,\"status\":\"Present\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}");
        SpecCheck.check("DELETE", "/api/v1/attendance/some-id", 404, JSON, "{\"error\":\"Not Found\",\"message\":\"x\"}");
        SpecCheck.check("TRACE", HEALTH, 405, JSON, "{\"error\":\"Method Not Allowed\",\"message\":\"x\"}");
        SpecCheck.check("GET", "/no/such/path", 404, "text/plain", "anything: not the contract's");
    }

    @Test
    void anUndeclaredStatusFails() {
        AssertionError e = assertThrows(AssertionError.class, () -> SpecCheck.check("GET", HEALTH, 418, JSON, "{}"));
        assertTrue(e.getMessage().contains("status not declared"), e.getMessage());
    }

    @Test
    void anUndeclaredContentTypeFails() {
        AssertionError e = assertThrows(AssertionError.class, () -> SpecCheck.check("GET", HEALTH, 200, "text/html", "<p>"));
        assertTrue(e.getMessage().contains("content type"), e.getMessage());
    }

    @Test
    void aBodyOffItsSchemaFails() {
        // search by id answers one record or an array of them, never a bare message
        AssertionError e = assertThrows(AssertionError.class, () -> SpecCheck.check("GET",
                "/api/v1/attendance/search?id=1", 200, JSON, "{\"message\":\"hello\"}"));
        assertTrue(e.getMessage().contains("does not match its schema"), e.getMessage());
        AssertionError missingKey = assertThrows(AssertionError.class, () -> SpecCheck.check("GET",
                "/api/v1/attendance/search/all", 200, JSON, "[{\"id\":\"1\",\"name\":\"A\",\"status\":\"Present\"}]"));
        assertTrue(missingKey.getMessage().contains("date"), missingKey.getMessage());
    }

    @Test
    void aMethodThePathLacksMustBeRefused() {
        AssertionError e = assertThrows(AssertionError.class, () -> SpecCheck.check("PATCH", HEALTH, 200, JSON, "{}"));
        assertTrue(e.getMessage().contains("must be refused"), e.getMessage());
    }
}
