package org.otmicroservices.attendance.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.javalin.http.Context;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One JSON line per request on stdout, with the fields and types of the Flask service's gunicorn access log
 * (plus duration_ms). Lines are handed to a writer thread so request threads never wait on the terminal;
 * when the queue is full they wait rather than drop a line.
 */
public final class RequestLog implements AutoCloseable {
    private final PrintStream out;
    private final boolean trustProxy;
    private static final long WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(16_384);
    private final Thread writer;
    private volatile boolean closing;

    /** trustProxy: take remote_address from X-Forwarded-For (set by our nginx), else the socket peer. */
    public RequestLog(PrintStream out, boolean trustProxy) {
        this.out = out;
        this.trustProxy = trustProxy;
        this.writer = new Thread(this::drain, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    void log(Context ctx, float durationMs) {
        // Built by hand into one buffer: this runs for every request, and was a sixth of a health probe's CPU.
        Instant now = Instant.now();
        String method = ctx.method().name();
        String query = ctx.queryString();
        StringBuilder line = new StringBuilder(256).append("{\"timestamp\": ").append(now.getEpochSecond()).append('.');
        appendPadded(line, now.getNano() / 1000, 6);
        line.append(", \"levelname\": \"INFO\", \"message\": null, \"request\": \"");
        appendEscaped(line, method);
        line.append(' ');
        appendEscaped(line, ctx.path());
        if (query != null) {
            line.append('?');
            appendEscaped(line, query);
        }
        line.append(' ');
        appendEscaped(line, ctx.req().getProtocol());
        line.append("\", \"status_code\": \"").append(ctx.statusCode()).append("\", \"method\": \"");
        appendEscaped(line, method);
        line.append("\", \"remote_address\": \"");
        appendEscaped(line, remoteAddress(ctx.header("X-Forwarded-For"), ctx.req().getRemoteAddr()));
        long micros = Math.round(durationMs * 1000.0);
        line.append("\", \"duration_ms\": ").append(micros / 1000).append('.');
        appendPadded(line, (int) (micros % 1000), 3);
        String text = line.append('}').toString();
        // offer first: put would take the queue's lock for nothing in the common case of free room.
        if (!queue.offer(text)) {
            try {
                queue.put(text);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The client as the Flask service's gunicorn logged it. Behind nginx the socket peer is nginx itself, so with
     * trustProxy the first X-Forwarded-For entry is used; our nginx config overwrites that header with the address
     * it saw, so a client cannot choose what is logged. Without trustProxy the header is ignored: anyone may send it.
     */
    public String remoteAddress(String forwardedFor, String socketPeer) {
        if (trustProxy && forwardedFor != null) {
            int comma = forwardedFor.indexOf(',');
            String first = (comma < 0 ? forwardedFor : forwardedFor.substring(0, comma)).strip();
            if (!first.isEmpty()) {
                return first;
            }
        }
        return socketPeer;
    }

    private static void appendPadded(StringBuilder out, int value, int digits) {
        String text = Integer.toString(value);
        for (int i = text.length(); i < digits; i++) {
            out.append('0');
        }
        out.append(text);
    }

    private static void appendEscaped(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' || c == '"' || c == '\\') {
                out.append(JsonStringEncoder.getInstance().quoteAsString(s));
                return;
            }
        }
        out.append(s);
    }

    /**
     * Wakes on a timer, not per line: a wake-up per queued line cost request threads a futex call each. A line
     * waits at most WRITE_INTERVAL_NANOS; a full queue is drained without pause.
     */
    private void drain() {
        List<String> batch = new ArrayList<>(1024);
        while (true) {
            boolean last = closing; // read before draining: every line queued before close() is in this drain
            queue.drainTo(batch, 1024);
            if (!batch.isEmpty()) {
                StringBuilder chunk = new StringBuilder(batch.size() * 220);
                for (String line : batch) {
                    chunk.append(line).append('\n');
                }
                out.print(chunk);
                out.flush();
                batch.clear();
            } else if (last) {
                return;
            } else {
                LockSupport.parkNanos(WRITE_INTERVAL_NANOS);
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
