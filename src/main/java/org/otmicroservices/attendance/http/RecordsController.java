package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.eclipse.jetty.io.EofException;
import org.otmicroservices.attendance.cache.ResponseCache;
import org.otmicroservices.attendance.db.AttendanceDao;
import org.otmicroservices.attendance.db.BulkDao;
import org.otmicroservices.attendance.db.BulkImport;
import org.otmicroservices.attendance.model.ApiError;
import org.otmicroservices.attendance.model.AttendanceRecord;
import org.otmicroservices.attendance.model.RecordInput;
import org.otmicroservices.attendance.model.RecordQuery;

/** The routes beyond Flask: filtered and paged reads, update, delete, bulk import, CSV export, daily summary. */
public final class RecordsController {
    /** At most this many bulk bodies (each up to max_bulk_body_bytes) are held in memory at once. */
    private static final int CONCURRENT_BULK_IMPORTS = 2;
    private static final CSVFormat EXPORT_CSV = CSVFormat.RFC4180.builder().setHeader("id", "name", "status", "date").get();

    private final AttendanceDao dao;
    private final BulkImport bulk;
    private final CachedReads reads;
    private final ResponseCache cache;
    private final Json json;
    private final long maxBodyBytes;
    private final long maxBulkBodyBytes;
    private final Semaphore bulkPermits = new Semaphore(CONCURRENT_BULK_IMPORTS);

    public RecordsController(AttendanceDao dao, BulkImport bulk, CachedReads reads, ResponseCache cache, Json json,
                      long maxBodyBytes, long maxBulkBodyBytes) {
        this.dao = dao;
        this.bulk = bulk;
        this.reads = reads;
        this.cache = cache;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.maxBulkBodyBytes = maxBulkBodyBytes;
    }

    /** search without a (non-empty) id but with a filter lists records; otherwise it is Flask's search by id. */
    static boolean isFilteredSearch(Context ctx) {
        return ctx.queryParams("id").stream().allMatch(String::isEmpty) && RecordQuery.hasFilter(ctx.queryParamMap());
    }

    /** search/all with limit or after pages; without them it returns everything, as Flask did. */
    static boolean isPagedSearchAll(Context ctx) {
        return RecordQuery.hasPaging(ctx.queryParamMap());
    }

    /** GET /search with filters (documented on AttendanceController.search, which serves it with an id). */
    void search(Context ctx) throws IOException {
        list(ctx, RecordQuery.parse(ctx.queryParamMap()));
    }

    /** GET /search/all with limit or after (documented on AttendanceController.searchAll). */
    void searchAll(Context ctx) throws IOException {
        list(ctx, RecordQuery.parsePage(ctx.queryParamMap()));
    }

    private void list(Context ctx, RecordQuery query) throws IOException {
        if (!query.paged()) {
            reads.serve(ctx, out -> json.writeRecords(out, each -> dao.forEachRecord(query.filter(), query.after(), each)));
            return;
        }
        reads.servePage(ctx, out -> {
            // One row more than asked says whether another page follows.
            List<AttendanceRecord> rows = dao.page(query.filter(), query.after(), query.limit() + 1);
            boolean more = rows.size() > query.limit();
            List<AttendanceRecord> page = more ? rows.subList(0, query.limit()) : rows;
            json.writeRecords(out, page::forEach);
            return more ? "<" + nextPage(ctx, page.get(page.size() - 1).id()) + ">; rel=\"next\"" : null;
        });
    }

    /** This request's path and parameters with after set to the given id: relative, so it holds behind proxies. */
    private static String nextPage(Context ctx, String lastId) {
        StringJoiner query = new StringJoiner("&");
        for (Map.Entry<String, List<String>> param : ctx.queryParamMap().entrySet()) {
            if (!param.getKey().equals("after")) {
                param.getValue().forEach(v -> query.add(encode(param.getKey()) + "=" + encode(v)));
            }
        }
        query.add("after=" + encode(lastId));
        return ctx.path() + "?" + query;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @OpenApi(path = "/api/v1/attendance/{id}", methods = HttpMethod.PUT, operationId = "updateRecord",
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
        RecordInput request = RecordInput.parseUpdate(id, RequestBody.readJson(ctx, maxBodyBytes));
        switch (dao.update(request)) {
            case UPDATED -> {
                cache.invalidate();
                message(ctx, "Successfully updated the record for the employee id: " + id);
            }
            case NOT_FOUND -> throw ApiError.notFound("No attendance record found for id: " + id);
            case DATE_OUT_OF_RANGE -> throw ApiError.validation(List.of("date must be between 0001-01-01 and 9999-12-31"));
            case INVALID_DATE -> throw ApiError.validation(
                    List.of("date is not a date PostgreSQL accepts; send yyyy-MM-dd, e.g. 2023-01-31"));
        }
    }

    @OpenApi(path = "/api/v1/attendance/{id}", methods = HttpMethod.DELETE, operationId = "deleteRecord",
            tags = "attendance", summary = "Delete the record of an employee id",
            pathParams = @OpenApiParam(name = "id", required = true, description = "Employee id", example = "1"),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.Message.class),
                        description = "Successfully deleted the record for the employee id: <id>"),
                @OpenApiResponse(status = "404", description = "No record with this id", content = @OpenApiContent(from = Bodies.Error.class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void delete(Context ctx) {
        String id = pathId(ctx);
        if (!dao.delete(id)) {
            throw ApiError.notFound("No attendance record found for id: " + id);
        }
        cache.invalidate();
        message(ctx, "Successfully deleted the record for the employee id: " + id);
    }

    @OpenApi(path = "/api/v1/attendance/bulk", methods = HttpMethod.POST, operationId = "importRecords",
            tags = "attendance", summary = "Import up to 100,000 records at once: all land or none do",
            queryParams = @OpenApiParam(name = "on_conflict", description = "What to do with ids that already exist: "
                    + "error (default; 409 listing them), skip (keep the existing records) or update (replace them)", example = "error"),
            requestBody = @OpenApiRequestBody(required = true, description = "A JSON array of create bodies, or text/csv (RFC 4180,"
                    + " UTF-8) with the header id,name,status,date. Rows are numbered from 1 (the first record after a CSV header).",
                    content = {
                        @OpenApiContent(from = RecordInput[].class),
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
        BulkImport.Format format = BulkImport.format(ctx.header("Content-Type"));
        BulkDao.OnConflict mode = BulkImport.onConflict(ctx.queryParams("on_conflict"));
        if (!bulkPermits.tryAcquire(10, TimeUnit.SECONDS)) {
            ctx.header("Retry-After", "5");
            throw ApiError.of(503, "Service Unavailable", "Too many bulk imports are running; retry shortly");
        }
        Bodies.BulkResult result;
        try {
            result = bulk.run(RequestBody.read(ctx, maxBulkBodyBytes), format, mode);
        } finally {
            bulkPermits.release();
        }
        if (result.inserted() + result.updated() > 0) {
            cache.invalidate();
        }
        ctx.contentType("application/json").result(json.bytes(result));
    }

    @OpenApi(path = "/api/v1/attendance/export.csv", methods = HttpMethod.GET, operationId = "exportRecords",
            tags = "attendance", summary = "Download the records matching the filters as CSV (ISO dates), ordered by id",
            queryParams = {
                @OpenApiParam(name = "status", description = "Exact status", example = "Present"),
                @OpenApiParam(name = "date", description = "Exact date, yyyy-MM-dd", example = "2023-01-01"),
                @OpenApiParam(name = "from", description = "First date, inclusive, yyyy-MM-dd"),
                @OpenApiParam(name = "to", description = "Last date, inclusive, yyyy-MM-dd"),
                @OpenApiParam(name = "name", description = "Case-insensitive part of the name")
            },
            responses = {
                @OpenApiResponse(status = "200", description = "attendance.csv, header id,name,status,date",
                        content = @OpenApiContent(mimeType = "text/csv", type = "string")),
                @OpenApiResponse(status = "400", description = "A bad filter", content = @OpenApiContent(from = Bodies.ValidationError.class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void export(Context ctx) throws IOException {
        RecordQuery.Filter filter = RecordQuery.parseFilter(ctx.queryParamMap());
        ctx.contentType("text/csv; charset=utf-8").header("Content-Disposition", "attachment; filename=\"attendance.csv\"");
        if (ctx.method() == HandlerType.HEAD) {
            return;
        }
        Writer out = new BufferedWriter(new OutputStreamWriter(ctx.res().getOutputStream(), StandardCharsets.UTF_8), 16 * 1024);
        try {
            CSVPrinter csv = new CSVPrinter(out, EXPORT_CSV);
            dao.forEachRecord(filter, null, r -> {
                try {
                    csv.printRecord(r.id(), r.name(), r.status(), r.date() == null ? "" : r.date().toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            csv.flush();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof EofException) {
                return; // the client went away mid-download: nothing to answer
            }
            throw e;
        } catch (RuntimeException e) {
            // Nothing sent yet (e.g. the database is down): drop the CSV headers so the error goes out as JSON.
            if (!ctx.res().isCommitted()) {
                ctx.res().reset();
            }
            throw e;
        }
    }

    @OpenApi(path = "/api/v1/attendance/summary", methods = HttpMethod.GET, operationId = "dailySummary",
            tags = "attendance", summary = "Records per date and status, one object per date that has records",
            queryParams = {
                @OpenApiParam(name = "from", description = "First date, inclusive, yyyy-MM-dd", example = "2023-01-01"),
                @OpenApiParam(name = "to", description = "Last date, inclusive, yyyy-MM-dd", example = "2023-01-31")
            },
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.SummaryDay[].class)),
                @OpenApiResponse(status = "400", description = "A bad date", content = @OpenApiContent(from = Bodies.ValidationError.class)),
                @OpenApiResponse(status = "503", description = "PostgreSQL unavailable", content = @OpenApiContent(from = Bodies.Error.class))
            })
    void summary(Context ctx) throws IOException {
        RecordQuery.Filter range = RecordQuery.parseRange(ctx.queryParamMap());
        reads.serve(ctx, out -> out.write(json.bytes(dao.dailySummary(range.from(), range.to()).stream()
                .map(day -> new Bodies.SummaryDay(day.date().toString(), day.total(), day.byStatus()))
                .toList())));
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
