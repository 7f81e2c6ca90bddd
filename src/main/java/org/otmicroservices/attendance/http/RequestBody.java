package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.otmicroservices.attendance.model.ApiError;

/**
 * Reads a JSON request body under the size limit. Javalin checks its limit only against Content-Length, so a
 * chunked body is counted here as it is read.
 */
final class RequestBody {
    private RequestBody() {}

    static byte[] readJson(Context ctx, long maxBytes) {
        requireJson(ctx.header("Content-Type"));
        return read(ctx, maxBytes);
    }

    /** The raw body, whatever its type, under the given limit. */
    static byte[] read(Context ctx, long maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
        byte[] chunk = new byte[8192];
        try (InputStream in = ctx.req().getInputStream()) {
            for (int n; (n = in.read(chunk)) != -1; ) {
                if (body.size() + n > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                body.write(chunk, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return body.toByteArray();
    }

    /** A 415 unless the Content-Type is JSON. */
    static void requireJson(String contentType) {
        if (!ContentType.of(contentType).isJson()) {
            throw ApiError.of(415, "Unsupported Media Type", contentType == null
                    ? "The request has no Content-Type: send the body as application/json"
                    : "Content-Type must be application/json");
        }
    }

    private static ApiError tooLarge(long maxBytes) {
        return ApiError.of(413, "Content Too Large", "The request body is larger than the limit of " + maxBytes + " bytes");
    }
}
