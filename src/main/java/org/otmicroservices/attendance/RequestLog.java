package org.otmicroservices.attendance;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.javalin.http.Context;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One JSON line per request on stdout, with the fields and types of the Flask service's gunicorn access log
 * (plus duration_ms). Lines are handed to a writer thread so request threads never wait on the terminal;
 * when the queue is full they wait rather than drop a line.
 */
final class RequestLog implements AutoCloseable {
    private final PrintStream out;
    private final boolean trustProxy;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(16_384);
    private final Thread writer;
    private volatile boolean closing;

    RequestLog(PrintStream out) {
        this(out, false);
    }

    /** trustProxy: take remote_address from X-Forwarded-For (set by our nginx), else the socket peer. */
    RequestLog(PrintStream out, boolean trustProxy) {
        this.out = out;
        this.trustProxy = trustProxy;
        this.writer = new Thread(this::drain, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    void log(Context ctx, float durationMs) {
        String query = ctx.queryString();
        String request = ctx.method().name() + " " + ctx.path() + (query == null ? "" : "?" + query)
                + " " + ctx.req().getProtocol();
        Instant now = Instant.now();
        String micros = Integer.toString(1_000_000 + now.getNano() / 1000).substring(1);
        String line = "{\"timestamp\": " + now.getEpochSecond() + "." + micros
                + ", \"levelname\": \"INFO\", \"message\": null, \"request\": \"" + escape(request)
                + "\", \"status_code\": \"" + ctx.statusCode() + "\", \"method\": \"" + ctx.method().name()
                + "\", \"remote_address\": \"" + escape(remoteAddress(ctx.header("X-Forwarded-For"), ctx.req().getRemoteAddr()))
                + "\", \"duration_ms\": " + Math.round(durationMs * 1000) / 1000.0 + "}";
        try {
            queue.put(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The client as the Flask service's gunicorn logged it. Behind nginx the socket peer is nginx itself, so with
     * trustProxy the first X-Forwarded-For entry is used; our nginx config overwrites that header with the address
     * it saw, so a client cannot choose what is logged. Without trustProxy the header is ignored: anyone may send it.
     */
    String remoteAddress(String forwardedFor, String socketPeer) {
        if (trustProxy && forwardedFor != null) {
            int comma = forwardedFor.indexOf(',');
            String first = (comma < 0 ? forwardedFor : forwardedFor.substring(0, comma)).strip();
            if (!first.isEmpty()) {
                return first;
            }
        }
        return socketPeer;
    }

    private static String escape(String s) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(s));
    }

    private void drain() {
        List<String> batch = new ArrayList<>(256);
        while (!closing || !queue.isEmpty()) {
            try {
                String first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 255);
                StringBuilder chunk = new StringBuilder(batch.size() * 220);
                for (String line : batch) {
                    chunk.append(line).append('\n');
                }
                out.print(chunk);
                out.flush();
                batch.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes every queued line before returning. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
