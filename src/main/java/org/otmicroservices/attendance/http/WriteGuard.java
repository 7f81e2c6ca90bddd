package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Set;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.model.ApiError;

/**
 * The optional write token (auth.write_token): a before-handler that refuses every write without
 * "Authorization: Bearer <token>". It goes by HTTP method, not by path, so every write route added later is
 * covered without being listed here. Reads stay open. Without a token configured it lets everything through.
 */
public final class WriteGuard implements Handler {
    private static final Set<HandlerType> WRITES = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);
    private static final String BEARER = "bearer ";

    /** SHA-256 of the token, or null when writes are open. */
    private final byte[] expected;

    public WriteGuard(Config.Auth auth) {
        this.expected = auth.writeToken() == null ? null : sha256(auth.writeToken());
    }

    @Override
    public void handle(Context ctx) {
        if (expected == null || !WRITES.contains(ctx.method())) {
            return;
        }
        if (!authorized(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw ApiError.of(401, "Unauthorized", "This write needs the header Authorization: Bearer <write token>");
        }
    }

    public boolean authorized(String header) {
        if (expected == null) {
            return true;
        }
        if (header == null || header.length() < BEARER.length()
                || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return false;
        }
        // Digests have a fixed length, so isEqual's constant-time compare does not leak the token's length either.
        return MessageDigest.isEqual(expected, sha256(header.substring(BEARER.length()).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
