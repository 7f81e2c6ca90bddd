package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.eclipse.jetty.io.EofException;
import org.otmicroservices.attendance.db.AttendanceDao;
import org.otmicroservices.attendance.model.ApiError;
import org.otmicroservices.attendance.model.AttendanceRecord;
import org.otmicroservices.attendance.model.RecordInput;
import org.otmicroservices.attendance.model.RecordQuery;

/** The record reads: search by id or by filters, search/all (whole or paged), the daily summary and the CSV export. */
public final class ReadController {
    static final String MISSING_ID_MESSAGE = "Unable to process request, please check query params ";
    private static final CSVFormat EXPORT_CSV = CSVFormat.RFC4180.builder().setHeader("id", "name", "status", "date").get();

    private final AttendanceDao dao;
    private final CachedReads reads;
    private final Json json;

    public ReadController(AttendanceDao dao, CachedReads reads, Json json) {
        this.dao = dao;
        this.reads = reads;
        this.json = json;
    }

    @OpenApi(path = Routes.V1 + "/search", methods = HttpMethod.GET, operationId = "searchRecord",
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
        Map<String, List<String>> params = ctx.queryParamMap();
        List<String> ids = ctx.queryParams("id");
        if (ids.stream().allMatch(String::isEmpty) && RecordQuery.hasFilter(params)) {
            list(ctx, RecordQuery.parse(params));
            return;
        }
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
        if (RecordQuery.hasPaging(params) || RecordQuery.hasFilter(params)) {
            // An id finds its record whatever else is asked, as in Flask, but a value refused without the id
            // (limit=abc, date=2023-13-01) is refused with it too.
            RecordQuery.parse(params);
        }
        reads.serve(ctx, out -> out.write(json.record(dao.find(id).orElseThrow(() -> ApiError.noRecord(id)))));
    }

    @OpenApi(path = Routes.V1 + "/search/all", methods = HttpMethod.GET, operationId = "searchAllRecords",
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
        // Without limit or after it returns everything, as Flask did; a bad paging value still gets its 400.
        list(ctx, RecordQuery.hasPaging(ctx.queryParamMap()) ? RecordQuery.parsePage(ctx.queryParamMap()) : RecordQuery.ALL);
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

    @OpenApi(path = Routes.V1 + "/export.csv", methods = HttpMethod.GET, operationId = "exportRecords",
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

    @OpenApi(path = Routes.V1 + "/summary", methods = HttpMethod.GET, operationId = "dailySummary",
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
}
