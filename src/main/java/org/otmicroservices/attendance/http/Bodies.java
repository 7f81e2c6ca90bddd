package org.otmicroservices.attendance.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.openapi.OpenApiExample;
import io.javalin.openapi.OpenApiName;
import io.javalin.openapi.OpenApiNullable;
import io.javalin.openapi.OpenApiRequired;
import java.util.List;
import java.util.Map;
import org.otmicroservices.attendance.db.HostRoles;

/** The JSON bodies of the wire contract, in the key order Flask wrote them, as the API docs show them. */
public final class Bodies {
    private Bodies() {}

    record Message(@OpenApiRequired @OpenApiExample("Attendance API is running fine and ready to serve requests") String message) {}

    /** postgresqlHosts: only with postgres.hosts naming more than one server; Flask's body otherwise. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record HealthDetail(@OpenApiRequired String message,
                        @OpenApiRequired @OpenApiExample("up") String postgresql,
                        @OpenApiRequired @OpenApiExample("up") String redis,
                        @OpenApiRequired @OpenApiExample("up") String status,
                        @JsonProperty("postgresql_hosts") @OpenApiName("postgresql_hosts") List<HostRoles.HostRole> postgresqlHosts,
                        @OpenApiExample("sentinel") @JsonProperty("redis_mode") @OpenApiName("redis_mode") String redisMode,
                        @OpenApiExample("10.0.0.5:6379") @JsonProperty("redis_master") @OpenApiName("redis_master") String redisMaster) {}

    /**
     * A record as it is written: the date is RFC 1123 text by default (ISO with json.date_format: iso). Only the id
     * is sure to be there: the table's other columns allow NULL (rows written by other clients), written as null.
     */
    record RecordView(@OpenApiRequired @OpenApiExample("1") String id,
                      @OpenApiRequired @OpenApiNullable @OpenApiExample("John Doe") String name,
                      @OpenApiRequired @OpenApiNullable @OpenApiExample("Present") String status,
                      @OpenApiRequired @OpenApiNullable @OpenApiExample("Sun, 01 Jan 2023 00:00:00 GMT") String date) {}

    record Error(@OpenApiRequired @OpenApiExample("Not Found") String error, @OpenApiRequired String message) {}

    /**
     * The body of POST /create and each record of a bulk import (RecordInput validates it). The date is declared
     * as yyyy-MM-dd, what clients should send; other spellings PostgreSQL reads as a date are taken too, as Flask
     * took them.
     */
    record CreateBody(@OpenApiRequired @OpenApiExample("1") String id,
                      @OpenApiRequired @OpenApiExample("John Doe") String name,
                      @OpenApiRequired @OpenApiExample("Present") String status,
                      @OpenApiRequired @OpenApiExample("2023-01-01") String date) {}

    /** The body of PUT /{id}: as create, without the id (the path carries it). */
    record UpdateBody(@OpenApiRequired @OpenApiExample("John Doe") String name,
                      @OpenApiRequired @OpenApiExample("Absent") String status,
                      @OpenApiRequired @OpenApiExample("2023-01-02") String date) {}

    public record BulkResult(@OpenApiRequired @OpenApiExample("98") long inserted,
                             @OpenApiRequired @OpenApiExample("0") long updated,
                             @OpenApiRequired @OpenApiExample("2") long skipped) {}

    /** One date of the daily summary: the date is always ISO; by_status maps each status to its count. */
    record SummaryDay(@OpenApiRequired @OpenApiExample("2023-01-01") String date,
                      @OpenApiRequired @OpenApiExample("12") long total,
                      @OpenApiRequired @JsonProperty("by_status") @OpenApiName("by_status") Map<String, Long> byStatus) {}

    record ValidationError(@OpenApiRequired @OpenApiExample("Validation Error") String error, @OpenApiRequired List<String> details) {}
}
