package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.db.AttendanceDao;
import org.otmicroservices.attendance.db.BulkDao;
import org.otmicroservices.attendance.db.BulkImport;
import org.otmicroservices.attendance.db.Writes;
import org.otmicroservices.attendance.model.ApiError;
import org.otmicroservices.attendance.model.RecordInput;

/** The record writes: create, update, delete and bulk import; each answers once its change is committed. */
public final class WriteController {
    /** At most this many bulk bodies (each up to max_bulk_body_bytes) are held in memory at once. */
    private static final int CONCURRENT_BULK_IMPORTS = 2;

    private final Writes writes;
    private final Json json;
    private final long maxBodyBytes;
    private final long maxBulkBodyBytes;
    private final Semaphore bulkPermits = new Semaphore(CONCURRENT_BULK_IMPORTS);

    public WriteController(Writes writes, Json json, Config.Server server) {
        this.writes = writes;
        this.json = json;
        this.maxBodyBytes = server.maxBodyBytes();
        this.maxBulkBodyBytes = server.maxBulkBodyBytes();
    }

    @OpenApi(path = Routes.V1 + "/create", methods = HttpMethod.POST, operationId = "createRecord",
            tags = "attendance", summary = "Create the attendance record of an employee",
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = Bodies.CreateBody.class),
                    description = "id, name, status and date, each a string; date in any form PostgreSQL accepts, ISO yyyy-MM-dd preferred"),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.Message.class)),
                @OpenApiResponse(status = "400", description = "Validation Error",
                        content = @OpenApiContent(from = Bodies.ValidationError.class)),
                @OpenApiResponse(status = "409", description = "The id already exists", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "413", description = "Body over the size limit", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "415", description = "Content-Type is not JSON", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void create(Context ctx) {
        RecordInput record = RecordInput.parse(RequestBody.readJson(ctx, maxBodyBytes));
        ctx.future(() -> writes.create(record).thenAccept(outcome -> answerCreate(ctx, record, outcome)));
    }

    private void answerCreate(Context ctx, RecordInput record, AttendanceDao.CreateOutcome outcome) {
        switch (outcome) {
            case CREATED -> message(ctx, "Successfully created the record for the employee id: $" + record.id());
            case DUPLICATE_ID -> throw ApiError.of(409, "Conflict",
                    "An attendance record with id " + record.id() + " already exists");
            case DATE_OUT_OF_RANGE -> throw ApiError.validation(List.of(RecordInput.DATE_OUT_OF_RANGE));
            case INVALID_DATE -> throw ApiError.validation(List.of(RecordInput.DATE_NOT_ACCEPTED));
        }
    }

    @OpenApi(path = Routes.V1 + "/{id}", methods = HttpMethod.PUT, operationId = "updateRecord",
            tags = "attendance", summary = "Replace name, status and date of an existing record",
            pathParams = @OpenApiParam(name = "id", required = true, description = "Employee id", example = "1"),
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = Bodies.UpdateBody.class),
                    description = "name, status and date, each a string, validated as in create; an id key may repeat the path's id"),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.Message.class),
                        description = "Successfully updated the record for the employee id: <id>"),
                @OpenApiResponse(status = "400", description = "Validation Error", content = @OpenApiContent(from = Bodies.ValidationError.class)),
                @OpenApiResponse(status = "404", description = "No record with this id", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "413", description = "Body over the size limit", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "415", description = "Content-Type is not JSON", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void update(Context ctx) {
        String id = ctx.pathParam("id");
        RecordInput record = RecordInput.parseUpdate(id, RequestBody.readJson(ctx, maxBodyBytes));
        switch (writes.update(record)) {
            case UPDATED -> message(ctx, "Successfully updated the record for the employee id: " + id);
            case NOT_FOUND -> throw ApiError.noRecord(id);
            case DATE_OUT_OF_RANGE -> throw ApiError.validation(List.of(RecordInput.DATE_OUT_OF_RANGE));
            case INVALID_DATE -> throw ApiError.validation(List.of(RecordInput.DATE_NOT_ACCEPTED));
        }
    }

    @OpenApi(path = Routes.V1 + "/{id}", methods = HttpMethod.DELETE, operationId = "deleteRecord",
            tags = "attendance", summary = "Delete the record of an employee id",
            pathParams = @OpenApiParam(name = "id", required = true, description = "Employee id", example = "1"),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.Message.class),
                        description = "Successfully deleted the record for the employee id: <id>"),
                @OpenApiResponse(status = "400", description = "A path that cannot be an id: malformed percent-encoding, refused before routing",
                        content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "404", description = "No record with this id", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void delete(Context ctx) {
        String id = pathId(ctx);
        if (!writes.delete(id)) {
            throw ApiError.noRecord(id);
        }
        message(ctx, "Successfully deleted the record for the employee id: " + id);
    }

    @OpenApi(path = Routes.V1 + "/bulk", methods = HttpMethod.POST, operationId = "importRecords",
            tags = "attendance", summary = "Import up to 100,000 records at once: all land or none do",
            queryParams = @OpenApiParam(name = "on_conflict", description = "What to do with ids that already exist: "
                    + "error (default; 409 listing them), skip (keep the existing records) or update (replace them)", example = "error"),
            requestBody = @OpenApiRequestBody(required = true, description = "A JSON array of create bodies, or text/csv (RFC 4180,"
                    + " UTF-8) with the header id,name,status,date. Rows are numbered from 1 (the first record after a CSV header).",
                    content = {
                        @OpenApiContent(from = Bodies.CreateBody[].class),
                        @OpenApiContent(mimeType = "text/csv", type = "string",
                                example = "id,name,status,date\n1,John Doe,Present,2023-01-01\n")
                    }),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.BulkResult.class)),
                @OpenApiResponse(status = "400", description = "Validation Error: every row's problem (up to 100), as 'row N: field ...'",
                        content = @OpenApiContent(from = Bodies.ValidationError.class)),
                @OpenApiResponse(status = "409", description = "on_conflict=error and some ids exist: details list them",
                        content = @OpenApiContent(from = Bodies.ValidationError.class)),
                @OpenApiResponse(status = "413", description = "Body over server.max_bulk_body_bytes", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "415", description = "Content-Type is neither JSON nor text/csv", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable, or too many imports at once", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void bulk(Context ctx) throws InterruptedException {
        BulkImport.Format format = bulkFormat(ContentType.of(ctx.header("Content-Type")));
        BulkDao.OnConflict mode = BulkImport.onConflict(ctx.queryParams("on_conflict"));
        if (!bulkPermits.tryAcquire(10, TimeUnit.SECONDS)) {
            ctx.header("Retry-After", "5");
            throw ApiError.of(503, "Service Unavailable", "Too many bulk imports are running; retry shortly");
        }
        BulkDao.Counts counts;
        try {
            counts = writes.importRows(RequestBody.read(ctx, maxBulkBodyBytes), format, mode);
        } finally {
            bulkPermits.release();
        }
        ctx.contentType("application/json").result(json.bytes(
                new Bodies.BulkResult(counts.inserted(), counts.updated(), counts.skipped())));
    }

    /** JSON (application/json or application/*+json) or CSV (text/csv, UTF-8); anything else is a 415. */
    private static BulkImport.Format bulkFormat(ContentType type) {
        if (type.type().equals("text/csv")) {
            if (type.charset() != null && !type.charset().equalsIgnoreCase("utf-8")) {
                throw ApiError.of(415, "Unsupported Media Type", "text/csv must be sent as UTF-8 (charset=utf-8)");
            }
            return BulkImport.Format.CSV;
        }
        if (type.isJson()) {
            return BulkImport.Format.JSON;
        }
        throw ApiError.of(415, "Unsupported Media Type",
                "Content-Type must be application/json (an array of records) or text/csv (header id,name,status,date)");
    }

    /** The path's id, refused if PostgreSQL text cannot hold it (parseUpdate checks it for PUT). */
    private static String pathId(Context ctx) {
        String id = ctx.pathParam("id");
        List<String> details = new ArrayList<>();
        RecordInput.checkText("id", id, details);
        if (!details.isEmpty()) {
            throw ApiError.validation(details);
        }
        return id;
    }

    private void message(Context ctx, String message) {
        ctx.contentType("application/json").result(json.bytes(new Bodies.Message(message)));
    }
}
