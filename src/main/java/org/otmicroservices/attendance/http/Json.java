package org.otmicroservices.attendance.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.model.AttendanceRecord;

/**
 * Writes response bodies as Flask's jsonify did: compact, keys in declaration order, non-ASCII escaped as
 * \\uxxxx (lower-case hex, as Python's json.dumps), one trailing newline; dates as RFC 1123 at midnight GMT
 * unless the config asks for ISO.
 */
public final class Json {
    private static final DateTimeFormatter RFC_1123_MIDNIGHT =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy' 00:00:00 GMT'", Locale.US);

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE) // Jackson writes \\u00E9, Flask wrote \\u00e9
            .build();
    private final Config.DateFormat dateFormat;
    /** Bounded, so a table of random dates costs at most this many small strings. */
    private static final int MAX_CACHED_DATES = 20_000;
    private final ConcurrentHashMap<LocalDate, String> rfc1123 = new ConcurrentHashMap<>();

    public Json(Config.DateFormat dateFormat) {
        this.dateFormat = dateFormat;
    }

    /** Any body made of records, maps and strings (messages, errors). */
    byte[] bytes(Object body) {
        try {
            byte[] json = mapper.writeValueAsBytes(body);
            byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
            withNewline[json.length] = '\n';
            return withNewline;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] record(AttendanceRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = mapper.createGenerator(out)) {
            writeRecord(g, record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** Streams a JSON array of the records the source hands over, one at a time. */
    void writeRecords(OutputStream out, Consumer<Consumer<AttendanceRecord>> source) throws IOException {
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartArray();
            source.accept(record -> {
                try {
                    writeRecord(g, record);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            g.writeEndArray();
            g.writeRaw('\n');
        }
    }

    String formatDate(LocalDate date) {
        if (dateFormat == Config.DateFormat.ISO) {
            return date.toString();
        }
        // Formatting is the costliest step of writing a row, and attendance dates repeat (365 a year):
        // search/all over 10,000 rows formats a few hundred distinct dates, not 10,000.
        String text = rfc1123.get(date);
        if (text == null) {
            text = RFC_1123_MIDNIGHT.format(date);
            if (rfc1123.size() < MAX_CACHED_DATES) {
                rfc1123.put(date, text);
            }
        }
        return text;
    }

    private void writeRecord(JsonGenerator g, AttendanceRecord r) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", r.id());
        g.writeStringField("name", r.name());
        g.writeStringField("status", r.status());
        if (r.date() == null) {
            g.writeNullField("date");
        } else {
            g.writeStringField("date", formatDate(r.date()));
        }
        g.writeEndObject();
    }
}
