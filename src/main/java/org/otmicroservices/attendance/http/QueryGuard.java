package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.otmicroservices.attendance.model.ApiError;

/**
 * Refuses, for every route, a query string whose percent-decoded bytes are not UTF-8 or contain NUL. Jetty would
 * turn invalid bytes into U+FFFD (a search for something the client did not send), and PostgreSQL cannot take
 * NUL in text (an error, not an answer).
 */
final class QueryGuard implements Handler {
    @Override
    public void handle(Context ctx) {
        String problem = problem(ctx.queryString());
        if (problem != null) {
            throw ApiError.validation(List.of(problem));
        }
    }

    /** Null when the raw query string is fine, else what is wrong with it, naming the parameter. */
    static String problem(String rawQuery) {
        if (rawQuery == null || isPlainAscii(rawQuery)) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            byte[] nameBytes = decode(name);
            byte[] valueBytes = decode(eq < 0 ? "" : pair.substring(eq + 1));
            if (nameBytes == null || valueBytes == null) {
                return "query string has a malformed percent-encoding";
            }
            if (!isUtf8(nameBytes) || !isUtf8(valueBytes)) {
                return "query string is not valid UTF-8 once percent-decoded";
            }
            if (contains(nameBytes, (byte) 0)) {
                return "query parameter names must not contain NUL characters";
            }
            if (contains(valueBytes, (byte) 0)) {
                return new String(nameBytes, StandardCharsets.UTF_8) + " must not contain NUL characters";
            }
        }
        return null;
    }

    /** Nothing to decode and nothing to refuse: the common case, answered without the per-pair decoding. */
    private static boolean isPlainAscii(String rawQuery) {
        for (int i = 0; i < rawQuery.length(); i++) {
            char c = rawQuery.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '%') {
                return false;
            }
        }
        return true;
    }

    /** Percent-decoding to bytes; null for a malformed escape. */
    private static byte[] decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toByteArray();
    }

    private static boolean contains(byte[] bytes, byte b) {
        for (byte x : bytes) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
