package org.otmicroservices.attendance;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

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

    /** Null when the raw query string is fine, else what is wrong with it. */
    static String problem(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawQuery.length());
        for (int i = 0; i < rawQuery.length(); i++) {
            char c = rawQuery.charAt(i);
            if (c == '%') {
                int hi = i + 2 < rawQuery.length() ? Character.digit(rawQuery.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(rawQuery.charAt(i + 2), 16);
                if (lo < 0) {
                    return "query string has a malformed percent-encoding";
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] decoded = bytes.toByteArray();
        for (byte b : decoded) {
            if (b == 0) {
                return "query parameters must not contain NUL characters";
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded));
            return null;
        } catch (CharacterCodingException e) {
            return "query string is not valid UTF-8 once percent-decoded";
        }
    }
}
