package org.otmicroservices.attendance;

import io.javalin.openapi.OpenApiExample;
import java.util.List;

/** The JSON bodies of the wire contract (API.md), in the key order Flask wrote them. */
final class Bodies {
    private Bodies() {}

    record Message(@OpenApiExample("Attendance API is running fine and ready to serve requests") String message) {}

    record HealthDetail(String message,
                        @OpenApiExample("up") String postgresql,
                        @OpenApiExample("up") String redis,
                        @OpenApiExample("up") String status) {}

    /** A record as it is written: the date is RFC 1123 text by default (ISO with json.date_format: iso). */
    record RecordView(@OpenApiExample("1") String id,
                      @OpenApiExample("John Doe") String name,
                      @OpenApiExample("Present") String status,
                      @OpenApiExample("Sun, 01 Jan 2023 00:00:00 GMT") String date) {}

    record Error(@OpenApiExample("Not Found") String error, String message) {}

    record ValidationError(@OpenApiExample("Validation Error") String error, List<String> details) {}
}
