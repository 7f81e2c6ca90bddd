package org.otmicroservices.attendance.cache;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Hears every new generation the moment a writer publishes it (Jedis's Pub/Sub on one connection of its own), so
 * that this instance acknowledges it at once instead of at its next lease renewal. Only speed depends on it (see
 * Leases): while the subscription is down, writes wait for the renewals instead.
 */
final class GenerationWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationWatch.class);
    /** A PING this often keeps the subscription's socket busy, so its read time-out tells a dead link. */
    private static final Duration PING = Duration.ofMillis(250);
    private static final Duration RETRY = Duration.ofMillis(100);

    private final UnifiedJedis redis;
    private final String channel;
    private final LongConsumer heard;
    private final Runnable subscribed;
    private final Thread listener;
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cache-watch-ping");
        t.setDaemon(true);
        return t;
    });
    private volatile JedisPubSub subscription;
    private volatile boolean closed;

    /** heard: each generation published; subscribed: after each (re)subscription, when pushes may have been missed. */
    GenerationWatch(UnifiedJedis redis, String channel, LongConsumer heard, Runnable subscribed) {
        this.redis = redis;
        this.channel = channel;
        this.heard = heard;
        this.subscribed = subscribed;
        this.listener = new Thread(this::listen, "cache-watch");
        listener.setDaemon(true);
        listener.start();
        pinger.scheduleWithFixedDelay(this::ping, PING.toMillis(), PING.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void listen() {
        while (!closed) {
            JedisPubSub pubSub = new JedisPubSub() {
                @Override
                public void onMessage(String ch, String message) {
                    try {
                        heard.accept(Long.parseLong(message));
                    } catch (NumberFormatException e) {
                        LOG.warn("ignoring a message on {} that is not a generation", ch);
                    }
                }

                @Override
                public void onSubscribe(String ch, int count) {
                    subscribed.run();
                }
            };
            subscription = pubSub;
            try {
                redis.subscribe(pubSub, channel); // returns once unsubscribed; throws when the link fails
            } catch (JedisException | IllegalStateException e) {
                LOG.debug("generation subscription lost: {}", e.getMessage());
            }
            subscription = null;
            sleep(RETRY);
        }
    }

    private void ping() {
        JedisPubSub s = subscription;
        if (s != null && s.isSubscribed()) {
            try {
                s.ping();
            } catch (JedisException | IllegalStateException e) {
                LOG.debug("generation subscription ping failed: {}", e.getMessage());
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        pinger.shutdownNow();
        JedisPubSub s = subscription;
        if (s != null && s.isSubscribed()) {
            try {
                s.unsubscribe();
            } catch (JedisException | IllegalStateException e) {
                // the connection closes with the client
            }
        }
        listener.interrupt();
        redis.close();
    }
}
