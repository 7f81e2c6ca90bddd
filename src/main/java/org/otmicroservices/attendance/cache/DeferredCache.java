package org.otmicroservices.attendance.cache;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The cache on Sentinel or Cluster, whose Jedis clients cannot even be built while no sentinel or node answers
 * (they ask for the master or the slot map first). The service must start and serve from PostgreSQL then, as it
 * does with a single Redis that is down: until the client can be built (tried again every second), every lookup
 * misses and nothing is stored. A write meanwhile is remembered and invalidates every cached response on the
 * cache it gets, before that cache serves anything: other instances may have kept caching meanwhile.
 */
final class DeferredCache implements ResponseCache {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredCache.class);
    private static final long RETRY_MS = 1000;

    private final Supplier<ResponseCache> connect;
    private final String mode;
    private final Thread connector;
    private volatile ResponseCache current;
    private boolean written; // guarded by this

    DeferredCache(Supplier<ResponseCache> connect, String mode) {
        this.connect = connect;
        this.mode = mode;
        this.current = tryConnect();
        this.connector = new Thread(this::connectUntilDone, "redis-connect");
        connector.setDaemon(true);
        if (current == null) {
            connector.start();
        }
    }

    private ResponseCache tryConnect() {
        try {
            return connect.get();
        } catch (JedisException e) {
            LOG.warn("Redis ({}) cannot be reached yet, serving without the cache: {}", mode, e.getMessage());
            return null;
        }
    }

    private void connectUntilDone() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(RETRY_MS);
            } catch (InterruptedException e) {
                return;
            }
            ResponseCache built = tryConnect();
            if (built != null) {
                synchronized (this) {
                    if (written) {
                        built.invalidate();
                    }
                    current = built;
                }
                LOG.info("Redis ({}) reached: the cache is in use", mode);
                return;
            }
        }
    }

    @Override
    public String mode() {
        return mode;
    }

    @Override
    public String master() {
        ResponseCache c = current;
        return c == null ? null : c.master();
    }

    @Override
    public Lookup lookup(String key) {
        ResponseCache c = current;
        return c == null ? Lookup.UNAVAILABLE : c.lookup(key);
    }

    @Override
    public void store(String key, long generation, String link, byte[] body) {
        ResponseCache c = current;
        if (c != null) {
            c.store(key, generation, link, body);
        }
    }

    @Override
    public void invalidate() {
        ResponseCache c = current;
        if (c == null) {
            synchronized (this) {
                c = current;
                if (c == null) {
                    written = true;
                    return;
                }
            }
        }
        c.invalidate();
    }

    @Override
    public boolean isUp() {
        ResponseCache c = current;
        return c != null && c.isUp();
    }

    @Override
    public void close() {
        connector.interrupt();
        ResponseCache c = current;
        if (c != null) {
            c.close();
        }
    }
}
