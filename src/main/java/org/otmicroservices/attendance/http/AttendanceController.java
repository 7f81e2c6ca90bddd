package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.io.IOException;
import java.util.List;
import org.otmicroservices.attendance.db.AttendanceDao;
import org.otmicroservices.attendance.db.CreateBatches;
import org.otmicroservices.attendance.model.ApiError;
import org.otmicroservices.attendance.model.RecordInput;

/** The attendance routes of the Flask service: create, search by id, list all. */
public final class AttendanceController {
    static final String MISSING_ID_MESSAGE = "Unable to process request, please check query params ";

    private final AttendanceDao dao;
    private final CachedReads reads;
    private final CreateBatches creates;
    private final Json json;
    private final long maxBodyBytes;

    public AttendanceController(AttendanceDao dao, CreateBatches creates, CachedReads reads, Json json, long maxBodyBytes) {
        this.dao = dao;
        this.creates = creates;
        this.reads = reads;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
    }

    @OpenApi(path = "/api/v1/attendance/create", methods = HttpMethod.POST, operationId = "createRecord",
            tags = "attendance", summary = "Create the attendance record of an employee",
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = RecordInput.class),
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
        RecordInput request = RecordInput.parse(RequestBody.readJson(ctx, maxBodyBytes));
        ctx.future(() -> creates.submit(request).thenAccept(outcome -> answer(ctx, request, outcome)));
    }

    private void answer(Context ctx, RecordInput request, AttendanceDao.CreateOutcome outcome) {
        switch (outcome) {
            case CREATED -> {
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
            tags = "attendance", summary = "Read the attendance record of one employee id, or list the records matching filters",
            description = "With id: that employee's record. Without id but with at least one of status, date, from, to, name:"
                    + " a JSON array of the matching records ordered by id, pageable with limit and after."
                    + " With neither: 400 with the Flask message.",
            queryParams = {
                @OpenApiParam(name = "id", description = "Employee id (then the filters are ignored)", example = "1"),
                @OpenApiParam(name = "status", description = "Filter: exact status", example = "Present"),
                @OpenApiParam(name = "date", description = "Filter: exact date, yyyy-MM-dd"),
                @OpenApiParam(name = "from", description = "Filter: first date, inclusive, yyyy-MM-dd"),
                @OpenApiParam(name = "to", description = "Filter: last date, inclusive, yyyy-MM-dd"),
                @OpenApiParam(name = "name", description = "Filter: case-insensitive part of the name"),
                @OpenApiParam(name = "limit", type = Integer.class, description = "Page size, 1 to 10000; a Link rel=\"next\" header follows while more remain"),
                @OpenApiParam(name = "after", description = "Keyset: the last id of the previous page")
            },
            responses = {
                @OpenApiResponse(status = "200", description = "The record (with id), or an array of records (with filters)",
                        content = @OpenApiContent(from = Bodies.RecordView.class)),
                @OpenApiResponse(status = "400", description = "Neither id nor a filter ({\"message\":...}), or a bad filter (Validation Error)",
                        content = @OpenApiContent(from = Bodies.Message.class)),
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
        if (id.length() > RecordInput.MAX_ID_LENGTH) {
            throw ApiError.validation(List.of("id must be at most " + RecordInput.MAX_ID_LENGTH + " characters"));
        }
        reads.serve(ctx, out -> out.write(json.record(dao.find(id)
                .orElseThrow(() -> ApiError.notFound("No attendance record found for id: " + id)))));
    }

    @OpenApi(path = "/api/v1/attendance/search/all", methods = HttpMethod.GET, operationId = "searchAllRecords",
            tags = "attendance", summary = "Read every attendance record, ordered by id",
            description = "Without limit and after: every record, as Flask answered. With them: one page; a Link rel=\"next\""
                    + " header carries the URL of the next page while more rows remain.",
            queryParams = {
                @OpenApiParam(name = "limit", type = Integer.class, description = "Page size, 1 to 10000", example = "100"),
                @OpenApiParam(name = "after", description = "Keyset: the last id of the previous page")
            },
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.RecordView[].class)),
                @OpenApiResponse(status = "400", description = "A bad limit or after", content = @OpenApiContent(from = Bodies.ValidationError.class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void searchAll(Context ctx) throws IOException {
        reads.serve(ctx, out -> json.writeRecords(out, dao::forEachRecord));
    }
}
