package org.otmicroservices.attendance;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.jdbi.v3.core.Jdbi;
import org.otmicroservices.attendance.cache.ResponseCache;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.db.AppliedChangeSets;
import org.otmicroservices.attendance.db.AttendanceDao;
import org.otmicroservices.attendance.db.BulkDao;
import org.otmicroservices.attendance.db.Database;
import org.otmicroservices.attendance.db.HostRoles;
import org.otmicroservices.attendance.db.Migrations;
import org.otmicroservices.attendance.db.Writes;
import org.otmicroservices.attendance.http.CachedReads;
import org.otmicroservices.attendance.http.HealthController;
import org.otmicroservices.attendance.http.HttpServer;
import org.otmicroservices.attendance.http.Json;
import org.otmicroservices.attendance.http.ReadController;
import org.otmicroservices.attendance.http.RequestLog;
import org.otmicroservices.attendance.http.Routes;
import org.otmicroservices.attendance.http.WriteController;
import org.otmicroservices.attendance.http.WriteGuard;
import org.otmicroservices.attendance.metrics.Metrics;

/**
 * The running service: wires the pool, migrations, DAO, cache and HTTP server by hand, in one place.
 * Main and the tests start it the same way.
 */
final class App implements AutoCloseable {
    static final String VERSION = versionFromManifest();

    private final HikariDataSource pool;
    private final ResponseCache cache;
    private final Writes writes;
    private final HttpServer server;

    private App(HikariDataSource pool, ResponseCache cache, Writes writes, HttpServer server) {
        this.pool = pool;
        this.cache = cache;
        this.writes = writes;
        this.server = server;
    }

    /** Waits for PostgreSQL, applies migrations, then serves on config.server.port (0: any free port). */
    static App start(Config config, PrintStream accessLog) {
        // Start-up is CPU-bound on two cores, so what is sequential is what costs (docs/PERFORMANCE.md). The first
        // login to PostgreSQL (~0.2 s in a JVM this young) and the rest of the service (Jedis, the collectors,
        // Javalin and its plugins, Jdbi and the routes) need nothing of each other until the server starts, so they
        // run on threads of their own. The migration check asks on the login that proved PostgreSQL reachable, and
        // that connection becomes the pool's first: one login on the way to the first 200, not two.
        // Nothing listens before the schema is current.
        Config.Postgres postgres = config.postgres();
        CompletableFuture<HikariDataSource> connected = CompletableFuture.supplyAsync(
                () -> migrate(reach(postgres), postgres), onNewThread("postgres"));
        CompletableFuture<Jdbi> jdbi = CompletableFuture.supplyAsync(
                () -> Database.jdbi(() -> await(connected).getConnection()), onNewThread("jdbi"));
        App app;
        try {
            app = assemble(config, connected, jdbi, accessLog);
        } catch (RuntimeException e) {
            connected.handle((pool, failure) -> null).join(); // Liquibase finishes (and releases its lock) first
            connected.thenAccept(HikariDataSource::close);
            throw e;
        }
        try {
            app.server.start(config.server().host(), config.server().port());
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        return app;
    }

    /** Everything the service runs on, wired, not yet listening; only background threads reach out (to Redis). */
    private static App assemble(Config config, CompletableFuture<HikariDataSource> connected,
                                CompletableFuture<Jdbi> connectedJdbi, PrintStream accessLog) {
        Metrics metrics = new Metrics(VERSION);
        Json json = new Json(config.dateFormat());
        ResponseCache cache = ResponseCache.connect(config.redis(), config.cache(), metrics);
        HttpServer server = null;
        try {
            server = new HttpServer(config.server(), metrics, json,
                    new RequestLog(accessLog, config.server().trustProxy()), VERSION);
            Jdbi jdbi = await(connectedJdbi);
            AttendanceDao dao = new AttendanceDao(jdbi);
            Writes writes = new Writes(dao, new BulkDao(jdbi), cache);
            server.mount(new Routes(
                    new ReadController(dao, new CachedReads(cache), json),
                    new WriteController(writes, json, config.server()),
                    new HealthController(dao, cache, new HostRoles(config.postgres()), json),
                    metrics, new WriteGuard(config.auth())));
            // The routes need Jdbi, not the pool: they are built while the first login is still on its way.
            HikariDataSource pool = await(connected); // and the schema is current
            metrics.watchPool(pool::getHikariPoolMXBean);
            return new App(pool, cache, writes, server);
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            cache.close();
            throw e;
        }
    }

    private static Executor onNewThread(String name) {
        return task -> new Thread(task, name).start();
    }

    /** Waits for a step of the start on another thread; its failure is rethrown as itself (Main turns a
     * MigrationException or UnavailableException into one line). */
    private static <T> T await(CompletableFuture<T> step) {
        try {
            return step.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    static HikariDataSource connectAndMigrate(Config.Postgres postgres) {
        return migrate(reach(postgres), postgres);
    }

    private static Connection reach(Config.Postgres postgres) {
        // java.util.logging (pgjdbc's, Liquibase's) into SLF4J before the driver logs anything: ~0.05 s of class
        // loading, off the thread that builds the HTTP server.
        Migrations.configureLiquibase();
        return Database.awaitConnection(postgres);
    }

    /**
     * The pool over a current schema. The check on the probe connection decides: up to date, the probe becomes the
     * pool's first connection; otherwise it is closed and Liquibase applies what is missing.
     */
    private static HikariDataSource migrate(Connection probe, Config.Postgres postgres) {
        if (AppliedChangeSets.upToDate(probe)) {
            return Database.pool(postgres, probe);
        }
        try {
            probe.close();
        } catch (SQLException e) {
            // Only a broken probe fails to close: Liquibase's own run meets whatever is wrong and says so.
        }
        HikariDataSource pool = Database.pool(postgres);
        try {
            new Migrations(pool, Duration.ofSeconds(postgres.migrationLockWaitSeconds())).apply();
            return pool;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    int port() {
        return server.port();
    }

    /** Stops taking connections, serves those already accepted (up to 10 s), then releases everything. */
    @Override
    public void close() {
        server.close();
        writes.close();
        cache.close();
        pool.close();
    }

    private static String versionFromManifest() {
        String version = App.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
