package org.otmicroservices.attendance.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.openapi.OpenApiExample;
import io.javalin.openapi.OpenApiName;
import io.javalin.openapi.OpenApiRequired;
import java.util.List;
import java.util.Map;
import org.otmicroservices.attendance.db.HostRoles;

/** The JSON bodies of the wire contract, in the key order Flask wrote them, as the API docs show them. */
public final class Bodies {
    private Bodies() {}

    record Message(@OpenApiExample("Attendance API is running fine and ready to serve requests") String message) {}

    /** postgresqlHosts: only with postgres.hosts naming more than one server; Flask's body otherwise. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record HealthDetail(String message,
                        @OpenApiExample("up") String postgresql,
                        @OpenApiExample("up") String redis,
                        @OpenApiExample("up") String status,
                        @JsonProperty("postgresql_hosts") @OpenApiName("postgresql_hosts") List<HostRoles.HostRole> postgresqlHosts,
                        @OpenApiExample("sentinel") @JsonProperty("redis_mode") @OpenApiName("redis_mode") String redisMode,
                        @OpenApiExample("10.0.0.5:6379") @JsonProperty("redis_master") @OpenApiName("redis_master") String redisMaster) {}

    /** A record as it is written: the date is RFC 1123 text by default (ISO with json.date_format: iso). */
    record RecordView(@OpenApiExample("1") String id,
                      @OpenApiExample("John Doe") String name,
                      @OpenApiExample("Present") String status,
                      @OpenApiExample("Sun, 01 Jan 2023 00:00:00 GMT") String date) {}

    record Error(@OpenApiExample("Not Found") String error, String message) {}

    /** The body of POST /create and each record of a bulk import (RecordInput validates it). */
    record CreateBody(@OpenApiRequired @OpenApiExample("1") String id,
                      @OpenApiRequired @OpenApiExample("John Doe") String name,
                      @OpenApiRequired @OpenApiExample("Present") String status,
                      @OpenApiRequired @OpenApiExample("2023-01-01") String date) {}

    /** The body of PUT /{id}: as create, without the id (the path carries it). */
    record UpdateBody(@OpenApiRequired @OpenApiExample("John Doe") String name,
                      @OpenApiRequired @OpenApiExample("Absent") String status,
                      @OpenApiRequired @OpenApiExample("2023-01-02") String date) {}

    public record BulkResult(@OpenApiExample("98") long inserted, @OpenApiExample("0") long updated,
                      @OpenApiExample("2") long skipped) {}

    /** One date of the daily summary: the date is always ISO; by_status maps each status to its count. */
    record SummaryDay(@OpenApiExample("2023-01-01") String date,
                      @OpenApiExample("12") long total,
                      @JsonProperty("by_status") @OpenApiName("by_status") Map<String, Long> byStatus) {}

    record ValidationError(@OpenApiExample("Validation Error") String error, List<String> details) {}
}
