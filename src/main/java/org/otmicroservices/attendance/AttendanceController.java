package org.otmicroservices.attendance;

import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.io.IOException;
import java.util.List;

/** The attendance routes of the Flask service: create, search by id, list all. */
final class AttendanceController {
    static final String MISSING_ID_MESSAGE = "Unable to process request, please check query params ";

    private final AttendanceDao dao;
    private final CachedReads reads;
    private final ResponseCache cache;
    private final Json json;
    private final long maxBodyBytes;

    AttendanceController(AttendanceDao dao, CachedReads reads, ResponseCache cache, Json json, long maxBodyBytes) {
        this.dao = dao;
        this.reads = reads;
        this.cache = cache;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
    }

    @OpenApi(path = "/api/v1/attendance/create", methods = HttpMethod.POST, operationId = "createRecord",
            tags = "attendance", summary = "Create the attendance record of an employee",
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = CreateRequest.class),
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
        CreateRequest request = CreateRequest.parse(RequestBody.readJson(ctx, maxBodyBytes));
        switch (dao.create(request)) {
            case CREATED -> {
                cache.invalidate();
                ctx.contentType("application/json").result(json.bytes(
                        new Bodies.Message("Successfully created the record for the employee id: $" + request.id())));
            }
            case DUPLICATE_ID -> throw ApiError.of(409, "Conflict",
                    "An attendance record with id " + request.id() + " already exists");
            case DATE_OUT_OF_RANGE -> throw ApiError.validation(
                    List.of("date must be between 0001-01-01 and 9999-12-31"));
            case INVALID_DATE -> throw ApiError.validation(
                    List.of("date is not a date PostgreSQL accepts; send yyyy-MM-dd, e.g. 2023-01-31"));
        }
    }

    @OpenApi(path = "/api/v1/attendance/search", methods = HttpMethod.GET, operationId = "searchRecord",
            tags = "attendance", summary = "Read the attendance record of one employee id",
            queryParams = @OpenApiParam(name = "id", required = true, description = "Employee id", example = "1"),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.RecordView.class)),
                @OpenApiResponse(status = "400", description = "id missing or empty", content = @OpenApiContent(from = Bodies.Message.class)),
                @OpenApiResponse(status = "404", description = "No record with this id", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void search(Context ctx) throws IOException {
        List<String> ids = ctx.queryParams("id");
        if (ids.size() > 1) {
            throw ApiError.validation(List.of("id must be given once, not " + ids.size() + " times"));
        }
        String id = ids.isEmpty() ? "" : ids.get(0);
        if (id.isEmpty()) {
            ctx.status(400).contentType("application/json").result(json.bytes(new Bodies.Message(MISSING_ID_MESSAGE)));
            return;
        }
        if (id.length() > CreateRequest.MAX_ID_LENGTH) {
            throw ApiError.validation(List.of("id must be at most " + CreateRequest.MAX_ID_LENGTH + " characters"));
        }
        reads.serve(ctx, out -> out.write(json.record(dao.find(id)
                .orElseThrow(() -> ApiError.notFound("No attendance record found for id: " + id)))));
    }

    @OpenApi(path = "/api/v1/attendance/search/all", methods = HttpMethod.GET, operationId = "searchAllRecords",
            tags = "attendance", summary = "Read every attendance record, ordered by id",
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.RecordView[].class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void searchAll(Context ctx) throws IOException {
        reads.serve(ctx, out -> json.writeRecords(out, dao::forEachRecord));
    }
}
