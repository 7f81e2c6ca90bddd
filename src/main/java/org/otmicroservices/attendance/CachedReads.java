package org.otmicroservices.attendance;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Serves a cacheable GET: the stored bytes on a hit; otherwise runs the writer, sends what it writes and stores
 * it if it is a 2xx small enough to cache. Small bodies go out with a Content-Length; large ones stream.
 */
final class CachedReads {
    /** Bodies up to this size are buffered and sent with a Content-Length. */
    private static final int INLINE_BYTES = 64 * 1024;
    /** Larger responses are streamed and not cached, so memory stays flat whatever the table size. */
    static final int MAX_ENTRY_BYTES = 4 * 1024 * 1024;

    /** Writes a response body; throws ApiError before writing anything to answer an error instead. */
    interface BodyWriter {
        void write(OutputStream out) throws IOException;
    }

    private final ResponseCache cache;

    CachedReads(ResponseCache cache) {
        this.cache = cache;
    }

    void serve(Context ctx, BodyWriter writer) throws IOException {
        String query = ctx.queryString();
        String key = ctx.path() + (query == null ? "" : "?" + query);
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
