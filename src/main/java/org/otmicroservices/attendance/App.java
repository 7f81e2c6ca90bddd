package org.otmicroservices.attendance;

import com.zaxxer.hikari.HikariDataSource;
import io.javalin.Javalin;
import io.javalin.util.JavalinBindException;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.otmicroservices.attendance.cache.ResponseCache;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.db.AttendanceDao;
import org.otmicroservices.attendance.db.BulkDao;
import org.otmicroservices.attendance.db.BulkImport;
import org.otmicroservices.attendance.db.CreateBatches;
import org.otmicroservices.attendance.db.Database;
import org.otmicroservices.attendance.db.Migrations;
import org.otmicroservices.attendance.http.AttendanceApi;
import org.otmicroservices.attendance.http.AttendanceController;
import org.otmicroservices.attendance.http.CachedReads;
import org.otmicroservices.attendance.http.ErrorMapper;
import org.otmicroservices.attendance.http.GracefulStop;
import org.otmicroservices.attendance.http.HealthController;
import org.otmicroservices.attendance.http.Json;
import org.otmicroservices.attendance.http.RecordsController;
import org.otmicroservices.attendance.http.RequestLog;
import org.otmicroservices.attendance.metrics.Metrics;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * The running service: wires the pool, migrations, DAO, cache and HTTP server by hand, in one place.
 * Main and the tests start it the same way.
 */
public final class App implements AutoCloseable {
    public static final String VERSION = versionFromManifest();

    private final HikariDataSource pool;
    private final RedisClient redis;
    private final ResponseCache cache;
    private final CreateBatches creates;
    private final RequestLog requestLog;
    private final Javalin javalin;

    private App(HikariDataSource pool, RedisClient redis, ResponseCache cache, CreateBatches creates,
            RequestLog requestLog, Javalin javalin) {
        this.pool = pool;
        this.redis = redis;
        this.cache = cache;
        this.creates = creates;
        this.requestLog = requestLog;
        this.javalin = javalin;
    }

    /** Waits for PostgreSQL, applies migrations, then serves on config.server.port (0: any free port). */
    static App start(Config config, PrintStream accessLog) {
        HikariDataSource pool = connect(config.postgres());
        // Liquibase and assembling the service each spend hundreds of milliseconds loading classes on one core:
        // side by side they take ~10 % off a 2 s start on 2 cores (issue 7). Nothing listens before the schema
        // is current.
        CompletableFuture<Void> migrated = CompletableFuture.runAsync(() -> migrate(pool, config.postgres()),
                task -> new Thread(task, "migrations").start());
        App app;
        try {
            app = assemble(config, pool, accessLog);
        } catch (RuntimeException e) {
            migrated.handle((done, failure) -> null).join(); // Liquibase finishes (and releases its lock) first
            pool.close();
            throw e;
        }
        try {
            awaitMigrated(migrated);
            app.javalin.start(config.server().host(), config.server().port());
        } catch (JavalinBindException e) {
            app.close();
            Throwable cause = e; // the java.net.BindException under Jetty's "Failed to bind to ..."
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new ListenException("cannot listen on " + config.server().host() + ":" + config.server().port()
                    + ": " + cause.getMessage() + " (set server.port or SERVER_PORT)");
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        return app;
    }

    /** Everything the service runs on, wired, not yet listening; only background threads reach out (to Redis). */
    private static App assemble(Config config, HikariDataSource pool, PrintStream accessLog) {
        Jdbi jdbi = Jdbi.create(pool).installPlugin(new PostgresPlugin());
        AttendanceDao dao = new AttendanceDao(jdbi);
        Metrics metrics = new Metrics(VERSION);
        metrics.watchPool(pool::getHikariPoolMXBean);
        RedisClient redis = redisClient(config.redis());
        ResponseCache cache = new ResponseCache(redis, config.redis(), config.cache(), metrics);
        Json json = new Json(config.dateFormat());
        RequestLog requestLog = new RequestLog(accessLog, config.server().trustProxy());
        CachedReads reads = new CachedReads(cache);
        CreateBatches creates = new CreateBatches(dao, cache);
        Javalin javalin = AttendanceApi.create(config,
                new AttendanceController(dao, creates, reads, json, config.server().maxBodyBytes()),
                new RecordsController(dao, new BulkImport(new BulkDao(jdbi)), reads, cache, json,
                        config.server().maxBodyBytes(), config.server().maxBulkBodyBytes()),
                new HealthController(dao, cache, json), metrics, requestLog, new ErrorMapper(json));
        return new App(pool, redis, cache, creates, requestLog, javalin);
    }

    /** Rethrows a failed migration as itself (Main turns a MigrationException into one line). */
    private static void awaitMigrated(CompletableFuture<Void> migrated) {
        try {
            migrated.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** The HTTP port cannot be had (in use, or privileged): an operator's mistake, told in one line. */
    static final class ListenException extends RuntimeException {
        ListenException(String message) {
            super(message);
        }
    }

    static HikariDataSource connectAndMigrate(Config.Postgres postgres) {
        HikariDataSource pool = connect(postgres);
        try {
            migrate(pool, postgres);
            return pool;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static HikariDataSource connect(Config.Postgres postgres) {
        Database.awaitReachable(postgres);
        return Database.pool(postgres);
    }

    private static void migrate(HikariDataSource pool, Config.Postgres postgres) {
        new Migrations(pool, java.time.Duration.ofSeconds(postgres.migrationLockWaitSeconds())).apply();
    }

    /** Short time-outs everywhere (Jedis defaults: 2 s, and wait forever for a pooled connection). */
    private static RedisClient redisClient(Config.Redis config) {
        GenericObjectPoolConfig<Connection> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(config.poolSize());
        poolConfig.setMaxIdle(config.poolSize());
        poolConfig.setMaxWait(java.time.Duration.ofMillis(config.timeoutMs()));
        return RedisClient.builder()
                .hostAndPort(config.host(), config.port())
                .clientConfig(DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(config.timeoutMs())
                        .socketTimeoutMillis(config.timeoutMs())
                        .password(config.password())
                        .clientName("attendance-api")
                        .build())
                .poolConfig(poolConfig)
                .build();
    }

    int port() {
        return javalin.port();
    }

    /** Stops taking connections, serves those already accepted (up to 10 s), then releases everything. */
    @Override
    public void close() {
        GracefulStop.closeListenersAndDrain(javalin.jettyServer().server(), java.time.Duration.ofSeconds(10));
        javalin.stop();
        creates.close();
        requestLog.close();
        cache.close();
        redis.close();
        pool.close();
    }

    private static String versionFromManifest() {
        String version = App.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
