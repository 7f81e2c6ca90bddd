package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.otmicroservices.attendance.cache.Lookup;
import org.otmicroservices.attendance.cache.ResponseCache;

/**
 * Serves a cacheable GET: the stored response on a hit; otherwise runs the writer, sends what it writes and stores
 * it if it is a 2xx small enough to cache. Small bodies go out with a Content-Length; large ones stream.
 *
 * Conditional GETs: a hit, and a miss whose body is buffered (not streamed), carry a strong ETag of the body and
 * the cache generation it belongs to, with Cache-Control: no-cache so that clients revalidate; a request whose
 * If-None-Match names it gets 304 and no body, from the cache alone on a hit. With the cache off or failing
 * there is no generation to vouch for a body, and no ETag.
 */
public final class CachedReads {
    /** Bodies up to this size are buffered and sent with a Content-Length. */
    private static final int INLINE_BYTES = 64 * 1024;
    /** Larger responses are streamed and not cached, so memory stays flat whatever the table size. */
    static final int MAX_ENTRY_BYTES = 4 * 1024 * 1024;

    /** Writes a response body; throws ApiError before writing anything to answer an error instead. */
    interface BodyWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Writes one page of a paged response and returns its Link header value (null on the last page). */
    interface PageWriter {
        String write(OutputStream out) throws IOException;
    }

    private final ResponseCache cache;

    public CachedReads(ResponseCache cache) {
        this.cache = cache;
    }

    /** A response of any size: streamed once it outgrows INLINE_BYTES, cached up to MAX_ENTRY_BYTES. */
    void serve(Context ctx, BodyWriter writer) throws IOException {
        String key = key(ctx);
        Lookup lookup = cache.lookup(key);
        if (answered(ctx, lookup)) {
            return;
        }
        Body body = new Body(ctx, lookup.generation());
        writer.write(body);
        body.finish();
        if (body.capturing) {
            cache.store(key, lookup.generation(), null, body.buffer.toByteArray());
        }
    }

    /** A page (at most a few MiB, buffered: its Link header must go out before the body) with its Link header. */
    void servePage(Context ctx, PageWriter writer) throws IOException {
        String key = key(ctx);
        Lookup lookup = cache.lookup(key);
        if (answered(ctx, lookup)) {
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        String link = writer.write(body);
        if (link != null) {
            ctx.header("Link", link);
        }
        byte[] bytes = body.toByteArray();
        sendTagged(ctx, lookup.generation(), bytes);
        if (lookup.generation() >= 0 && bytes.length <= MAX_ENTRY_BYTES) {
            cache.store(key, lookup.generation(), link, bytes);
        }
    }

    /** Sends a hit as it was stored, or 304 if the client has it; false on a miss. */
    private static boolean answered(Context ctx, Lookup lookup) throws IOException {
        ctx.contentType("application/json").header("Cache-Control", "no-cache");
        if (!lookup.hit()) {
            return false;
        }
        String link = lookup.link();
        if (link != null) {
            ctx.header("Link", link);
        }
        if (notModified(ctx, lookup.etag())) {
            return true;
        }
        ctx.res().setContentLength(lookup.bodyLength());
        lookup.writeBody(ctx.res().getOutputStream());
        return true;
    }

    /** Sets the ETag; true (and 304 set) when the request's If-None-Match names it. */
    private static boolean notModified(Context ctx, String etag) {
        ctx.header("ETag", etag);
        String ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch == null || !matches(ifNoneMatch, etag)) {
            return false;
        }
        ctx.status(304);
        return true;
    }

    /** RFC 9110 13.1.2: "*", or a list of tags compared weakly (W/ ignored). */
    static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || (tag.startsWith("W/") ? tag.substring(2) : tag).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** A buffered body: tagged (when the cache vouches for its generation) and sent, or 304 if the client has it. */
    private static void sendTagged(Context ctx, long generation, byte[] bytes) throws IOException {
        if (generation >= 0 && notModified(ctx, Lookup.tag(generation, bytes, 0, bytes.length))) {
            return;
        }
        send(ctx, bytes);
    }

    private static String key(Context ctx) {
        String query = ctx.queryString();
        return ctx.path() + (query == null ? "" : "?" + query);
    }

    private static void send(Context ctx, byte[] bytes) throws IOException {
        ctx.res().setContentLength(bytes.length);
        ctx.res().getOutputStream().write(bytes);
    }

    /** Buffers up to INLINE_BYTES, then streams to the client while capturing up to MAX_ENTRY_BYTES for the cache. */
    private static final class Body extends OutputStream {
        private final Context ctx;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
        private final long generation;
        private boolean capturing;
        private OutputStream client;

        Body(Context ctx, long generation) {
            this.ctx = ctx;
            this.generation = generation;
            this.capturing = generation >= 0;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (client == null && buffer.size() + len > INLINE_BYTES) {
                client = ctx.res().getOutputStream();
                buffer.writeTo(client);
                if (!capturing) {
                    buffer.reset();
                }
            }
            if (client != null) {
                client.write(b, off, len);
                if (capturing && buffer.size() + len > MAX_ENTRY_BYTES) {
                    capturing = false;
                    buffer.reset();
                }
            }
            if (client == null || capturing) {
                buffer.write(b, off, len);
            }
        }

        void finish() throws IOException {
            if (client == null) {
                sendTagged(ctx, generation, buffer.toByteArray());
            }
        }
    }
}
