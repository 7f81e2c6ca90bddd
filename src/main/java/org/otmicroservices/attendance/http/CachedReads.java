package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.otmicroservices.attendance.cache.ResponseCache;

/**
 * Serves a cacheable GET: the stored bytes on a hit; otherwise runs the writer, sends what it writes and stores
 * it if it is a 2xx small enough to cache. Small bodies go out with a Content-Length; large ones stream.
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

    void serve(Context ctx, BodyWriter writer) throws IOException {
        String key = key(ctx);
        ResponseCache.Lookup lookup = cache.lookup(key);
        ctx.contentType("application/json");
        if (lookup.hit()) {
            ctx.res().setContentLength(lookup.bodyLength());
            lookup.writeBody(ctx.res().getOutputStream());
            return;
        }
        Body body = new Body(ctx, lookup.generation() >= 0);
        writer.write(body);
        body.finish();
        if (body.capturing) {
            cache.store(key, lookup.generation(), body.buffer.toByteArray());
        }
    }

    /**
     * Serves a page (at most a few MiB, buffered) whose Link header must come back with it on a hit: the entry is
     * [link length][link][body], under a key of its own so it is never mistaken for a plain entry.
     */
    void servePage(Context ctx, PageWriter writer) throws IOException {
        String key = key(ctx) + "#page"; // a fragment is never part of a request target
        ResponseCache.Lookup lookup = cache.lookup(key);
        ctx.contentType("application/json");
        if (lookup.hit()) {
            byte[] entry = lookup.body();
            int linkLength = ByteBuffer.wrap(entry).getInt();
            if (linkLength > 0) {
                ctx.header("Link", new String(entry, Integer.BYTES, linkLength, StandardCharsets.UTF_8));
            }
            int bodyStart = Integer.BYTES + linkLength;
            ctx.res().setContentLength(entry.length - bodyStart);
            ctx.res().getOutputStream().write(entry, bodyStart, entry.length - bodyStart);
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        String link = writer.write(body);
        if (link != null) {
            ctx.header("Link", link);
        }
        send(ctx, body.toByteArray());
        if (lookup.generation() >= 0 && body.size() <= MAX_ENTRY_BYTES) {
            byte[] linkBytes = link == null ? new byte[0] : link.getBytes(StandardCharsets.UTF_8);
            cache.store(key, lookup.generation(), ByteBuffer.allocate(Integer.BYTES + linkBytes.length + body.size())
                    .putInt(linkBytes.length).put(linkBytes).put(body.toByteArray()).array());
        }
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
        private boolean capturing;
        private OutputStream client;

        Body(Context ctx, boolean capturing) {
            this.ctx = ctx;
            this.capturing = capturing;
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
                send(ctx, buffer.toByteArray());
            }
        }
    }
}
