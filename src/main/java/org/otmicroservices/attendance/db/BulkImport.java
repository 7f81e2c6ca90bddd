package org.otmicroservices.attendance.db;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jdbi.v3.core.JdbiException;
import org.otmicroservices.attendance.model.ApiError;
import org.otmicroservices.attendance.model.RecordInput;

/**
 * POST /bulk: reads a JSON array of create bodies or an RFC 4180 CSV (header id,name,status,date), validates
 * every row by the rules of create, and lands all rows or none. Rows stream into the staging table as they are
 * parsed, so memory holds the request body and one chunk, never every row as objects.
 */
public final class BulkImport {
    public static final int MAX_ROWS = 100_000;
    static final int MAX_PROBLEMS = 100;
    private static final List<String> CSV_HEADER = List.of("id", "name", "status", "date");
    private static final ObjectReader ELEMENT_READER =
            RecordInput.STRICT.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final CSVFormat CSV = CSVFormat.RFC4180.builder()
            .setHeader().setSkipHeaderRecord(true).setIgnoreEmptyLines(true).get();

    public enum Format { JSON, CSV }

    private final BulkDao dao;

    BulkImport(BulkDao dao) {
        this.dao = dao;
    }

    public static BulkDao.OnConflict onConflict(List<String> values) {
        if (values.size() > 1) {
            throw ApiError.validation(List.of("on_conflict must be given once, not " + values.size() + " times"));
        }
        String value = values.isEmpty() || values.get(0).isEmpty() ? "error" : values.get(0);
        return switch (value) {
            case "error" -> BulkDao.OnConflict.ERROR;
            case "skip" -> BulkDao.OnConflict.SKIP;
            case "update" -> BulkDao.OnConflict.UPDATE;
            default -> throw ApiError.validation(List.of("on_conflict must be error, skip or update"));
        };
    }

    /** Imports every row or none: throws 400 naming the rows' problems, or 409 naming existing ids under ERROR. */
    BulkDao.Counts run(byte[] body, Format format, BulkDao.OnConflict mode) {
        return dao.inTransaction(staging -> {
            Problems problems = new Problems();
            if (format == Format.JSON) {
                readJson(body, staging, problems);
            } else {
                readCsv(body, staging, problems);
            }
            staging.finish();
            if (!problems.full()) {
                for (BulkDao.Repeat r : staging.repeatedIds(MAX_PROBLEMS)) {
                    problems.add(r.row(), "id " + quoted(r.id()) + " repeats the id of row " + r.firstRow());
                }
            }
            if (!problems.full()) {
                for (BulkDao.BadDate d : staging.badDates(MAX_PROBLEMS)) {
                    problems.add(d.row(), d.unparsable()
                            ? RecordInput.DATE_NOT_ACCEPTED : RecordInput.DATE_OUT_OF_RANGE);
                }
            }
            if (!problems.isEmpty()) {
                throw ApiError.validation(problems.details());
            }
            if (mode == BulkDao.OnConflict.ERROR) {
                List<BulkDao.Existing> existing = staging.existingIds(MAX_PROBLEMS);
                if (!existing.isEmpty()) {
                    throw conflict(existing);
                }
            }
            try {
                return staging.merge(mode);
            } catch (JdbiException e) {
                if (e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState())) {
                    throw ApiError.of(409, "Conflict", "Another request created one of these ids during the import; nothing was"
                            + " imported. Retry, or send on_conflict=skip or on_conflict=update");
                }
                throw e;
            }
        });
    }

    private static ApiError conflict(List<BulkDao.Existing> existing) {
        List<String> details = new ArrayList<>();
        long total = existing.get(0).total();
        details.add(total + (total == 1 ? " row has an id" : " rows have ids") + " that already exist; nothing was imported."
                + " Send on_conflict=skip to keep the existing records or on_conflict=update to replace them");
        for (BulkDao.Existing e : existing) {
            details.add("row " + e.row() + ": id " + quoted(e.id()) + " already exists");
        }
        if (total > existing.size()) {
            details.add("(the first " + existing.size() + " are listed)");
        }
        return ApiError.withDetails(409, "Conflict", details);
    }

    private static void readJson(byte[] body, BulkDao.Staging staging, Problems problems) {
        long row = 0;
        try (JsonParser p = ELEMENT_READER.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_ARRAY) {
                problems.add(0, first == null ? "body is empty: expected a JSON array of records"
                        : "body must be a JSON array of records (objects with id, name, status and date)");
                return;
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    problems.add(0, "body is not valid JSON: the array is not closed");
                    return;
                }
                if (++row > MAX_ROWS) {
                    problems.add(0, tooManyRows());
                    return;
                }
                JsonNode node = ELEMENT_READER.readTree(p);
                List<String> details = new ArrayList<>();
                RecordInput r = RecordInput.fromJson(node, details);
                if (r != null) {
                    staging.add(row, r);
                }
                problems.addAll(row, details);
                if (problems.full()) {
                    return;
                }
            }
            if (p.nextToken() != null) {
                problems.add(0, "body must be one JSON array; there is more after it");
            }
        } catch (JsonProcessingException e) {
            problems.add(row, "body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readCsv(byte[] body, BulkDao.Staging staging, Problems problems) {
        // Spreadsheets save UTF-8 with a byte order mark; the header would not match with it.
        int start = body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF ? 3 : 0;
        Reader reader = new InputStreamReader(new ByteArrayInputStream(body, start, body.length - start),
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        long row = 0;
        boolean headerRead = false;
        try (CSVParser parser = CSV.parse(reader)) {
            headerRead = true;
            List<String> header = parser.getHeaderNames();
            if (header.size() != CSV_HEADER.size() || !new HashSet<>(header).equals(Set.copyOf(CSV_HEADER))) {
                problems.add(0, "the first CSV line must be the header id,name,status,date (got "
                        + quoted(String.join(",", header)) + ")");
                return;
            }
            for (CSVRecord record : parser) {
                if (++row > MAX_ROWS) {
                    problems.add(0, tooManyRows());
                    return;
                }
                if (record.size() != CSV_HEADER.size()) {
                    problems.add(row, "expected 4 fields (id,name,status,date), got " + record.size());
                } else {
                    List<String> details = new ArrayList<>();
                    RecordInput r = RecordInput.fromFields(record.get("id"), record.get("name"),
                            record.get("status"), record.get("date"), details);
                    if (r != null) {
                        staging.add(row, r);
                    }
                    problems.addAll(row, details);
                }
                if (problems.full()) {
                    return;
                }
            }
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            long where = headerRead ? row + 1 : 0; // the parser reads the header line first
            if (cause instanceof CharacterCodingException || cause.getCause() instanceof CharacterCodingException) {
                problems.add(where, "the CSV is not valid UTF-8 text");
            } else {
                problems.add(where, "the CSV is malformed: " + cause.getMessage());
            }
        }
    }

    private static String tooManyRows() {
        return "an import holds at most " + MAX_ROWS + " rows; split it into several requests";
    }

    private static String quoted(String s) {
        return "\"" + (s.length() <= 64 ? s : s.substring(0, 64) + "...") + "\"";
    }

    /** Row problems, listed by row (0: the body as a whole) and capped at MAX_PROBLEMS. */
    private static final class Problems {
        private record Problem(long row, String message) {}

        private final List<Problem> list = new ArrayList<>();

        void add(long row, String message) {
            list.add(new Problem(row, message));
        }

        void addAll(long row, List<String> messages) {
            messages.forEach(m -> add(row, m));
        }

        boolean full() {
            return list.size() >= MAX_PROBLEMS;
        }

        boolean isEmpty() {
            return list.isEmpty();
        }

        List<String> details() {
            List<Problem> sorted = new ArrayList<>(list);
            sorted.sort(Comparator.comparingLong(Problem::row)); // stable: a row's problems keep their order
            List<String> details = new ArrayList<>();
            for (Problem p : sorted.subList(0, Math.min(sorted.size(), MAX_PROBLEMS))) {
                details.add(p.row() == 0 ? p.message() : "row " + p.row() + ": " + p.message());
            }
            if (full()) {
                details.add("(stopped after " + MAX_PROBLEMS + " problems)");
            }
            return details;
        }
    }
}
