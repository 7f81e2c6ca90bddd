package org.otmicroservices.attendance.cache;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.otmicroservices.attendance.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells request threads whether the cache generation in Redis may have changed since they last looked, without a
 * round trip: one connection asks Redis to push a message whenever the generation key changes (RESP3 client
 * tracking, BCAST on the key), and each caller reads whatever that connection has received before answering.
 *
 * Redis writes that push in the same event-loop turn as its reply to the INCR of the writing instance, so by the
 * time the writer has answered its client, the push is in this instance's socket, and the next request here sees
 * it. To stay on the safe side every byte received counts as a change (the replies to the heartbeat PINGs too,
 * so an epoch lasts at most one heartbeat), and the watch vouches for nothing while its connection is down or
 * Redis has not answered a heartbeat lately.
 */
final class InvalidationWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationWatch.class);
    private static final long HEARTBEAT_MS = 100;
    /** Three heartbeats unanswered: Redis hangs or the link is gone, and a change could go unheard. */
    static final Duration TRUST = Duration.ofMillis(3 * HEARTBEAT_MS);
    private static final long TRUST_NANOS = TRUST.toNanos();
    private static final byte[] PING = command("PING");

    private final Config.Redis config;
    private final String watchedKey;
    private final AtomicLong epoch = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096); // guarded by lock
    private SocketChannel channel; // guarded by lock; null while disconnected
    private volatile long lastHeardNanos;
    private volatile boolean unsupported;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "redis-invalidations");
        t.setDaemon(true);
        return t;
    });

    InvalidationWatch(Config.Redis config, String watchedKey) {
        this.config = config;
        this.watchedKey = watchedKey;
        heartbeat.scheduleWithFixedDelay(this::beat, 0, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * The current epoch after taking in everything Redis has pushed so far, or -1 when the watch cannot vouch
     * that a change would have been heard. Equal epochs mean no change was heard in between.
     */
    long epoch() {
        lock.lock();
        try {
            if (channel == null) {
                return -1;
            }
            drain();
            return channel != null && System.nanoTime() - lastHeardNanos <= TRUST_NANOS ? epoch.get() : -1;
        } finally {
            lock.unlock();
        }
    }

    /** A change made by this instance: callers must not wait for Redis's push to see it. */
    void changed() {
        epoch.incrementAndGet();
    }

    /** Reads what has arrived without blocking; anything at all is a (possible) change. Holds the lock. */
    private void drain() {
        try {
            int total = 0;
            int n;
            while ((n = channel.read(scratch.clear())) > 0) {
                total += n;
            }
            if (total > 0) {
                lastHeardNanos = System.nanoTime();
                epoch.incrementAndGet();
            }
            if (n < 0) {
                throw new EOFException("Redis closed the connection");
            }
        } catch (IOException e) {
            disconnect(e);
        }
    }

    private void beat() {
        if (unsupported) {
            return;
        }
        lock.lock();
        try {
            if (channel != null) {
                drain();
            }
            if (channel != null) {
                ByteBuffer ping = ByteBuffer.wrap(PING);
                channel.write(ping);
                if (ping.hasRemaining()) {
                    throw new IOException("Redis is not reading");
                }
                return;
            }
        } catch (IOException e) {
            disconnect(e);
            return;
        } finally {
            lock.unlock();
        }
        connect();
    }

    /** Outside the lock: callers meanwhile get -1 at once rather than wait for a connect. */
    private void connect() {
        SocketChannel opened = null;
        try {
            opened = SocketChannel.open();
            opened.socket().connect(new InetSocketAddress(config.host(), config.port()), config.timeoutMs());
            opened.socket().setSoTimeout(config.timeoutMs());
            opened.socket().setTcpNoDelay(true);
            InputStream in = opened.socket().getInputStream();
            OutputStream out = opened.socket().getOutputStream();
            List<String> hello = new ArrayList<>(List.of("HELLO", "3"));
            if (config.password() != null && !config.password().isEmpty()) {
                hello.addAll(List.of("AUTH", "default", config.password()));
            }
            hello.addAll(List.of("SETNAME", "attendance-api-invalidations"));
            out.write(command(hello.toArray(String[]::new)));
            out.write(command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", watchedKey));
            out.flush();
            skipReply(in);
            skipReply(in);
            opened.configureBlocking(false);
        } catch (RedisError e) {
            close(opened);
            if (e.getMessage().startsWith("LOADING")) {
                return; // Redis is starting: the heartbeat tries again
            }
            // Redis before 6 (no RESP3, no tracking), an ACL without CLIENT, a wrong password: asking again every
            // heartbeat would not change the answer. Every lookup then simply goes to Redis, as without this watch.
            unsupported = true;
            LOG.warn("Redis refused client tracking ({}); cached responses are read from Redis on every request",
                    e.getMessage());
            return;
        } catch (IOException | RuntimeException e) {
            close(opened);
            return; // down: the heartbeat tries again; the cache's own breaker reports the outage
        }
        lock.lock();
        try {
            channel = opened;
            lastHeardNanos = System.nanoTime();
            epoch.incrementAndGet(); // whatever changed while disconnected went unheard
        } finally {
            lock.unlock();
        }
    }

    private void disconnect(Exception e) {
        LOG.debug("Redis invalidation connection lost: {}", e.getMessage());
        close(channel);
        channel = null;
        epoch.incrementAndGet();
    }

    private static void close(SocketChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** A RESP array of bulk strings. */
    private static byte[] command(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bytes);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** Reads one RESP2/RESP3 reply of any type and discards it; an error reply throws RedisError. */
    private static void skipReply(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '-', '!' -> throw new RedisError(type == '-' ? line : new String(readBulk(in, line), StandardCharsets.UTF_8));
            case '+', ':', '_', ',', '#', '(' -> { }
            case '$', '=' -> readBulk(in, line);
            case '*', '~', '>' -> skipReplies(in, Long.parseLong(line));
            case '%', '|' -> skipReplies(in, 2 * Long.parseLong(line));
            default -> throw new IOException("unexpected reply from Redis: " + (char) type + line);
        }
    }

    private static void skipReplies(InputStream in, long count) throws IOException {
        for (long i = 0; i < count; i++) {
            skipReply(in);
        }
    }

    private static byte[] readBulk(InputStream in, String length) throws IOException {
        int n = Integer.parseInt(length);
        byte[] bytes = n < 0 ? new byte[0] : in.readNBytes(n + 2); // the value and its CRLF
        return n < 0 ? bytes : java.util.Arrays.copyOf(bytes, n);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("Redis closed the connection");
            }
            line.append((char) c);
        }
        in.read(); // '\n'
        return line.toString();
    }

    /** Redis answered a command with an error. */
    private static final class RedisError extends IOException {
        RedisError(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        lock.lock();
        try {
            close(channel);
            channel = null;
        } finally {
            lock.unlock();
        }
    }
}
