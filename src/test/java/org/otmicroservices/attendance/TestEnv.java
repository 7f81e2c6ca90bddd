package org.otmicroservices.attendance;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.otmicroservices.attendance.config.Config;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * One per test run: the real PostgreSQL and Redis that config.yaml (and its env overrides) point at. Every
 * database it creates is named attendance_test_<run>_<n> and every Redis key starts with attendance_test_<run>:,
 * and all of them are removed when the run ends.
 */
final class TestEnv implements AutoCloseable {
    final Config base;
    final String runId = "attendance_test_" + UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger counter = new AtomicInteger();
    private final List<String> databases = new ArrayList<>();

    private TestEnv() {
        base = Config.load(Path.of("config.yaml"), System.getenv());
    }

    static TestEnv get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(TestEnv.class, k -> new TestEnv(), TestEnv.class);
    }

    /** A fresh, empty database. */
    synchronized String createDatabase() {
        String name = runId + "_" + counter.incrementAndGet();
        admin("CREATE DATABASE " + name);
        databases.add(name);
        return name;
    }

    String newKeyPrefix() {
        return runId + ":" + counter.incrementAndGet() + ":";
    }

    /**
     * The base config's servers, pointed at the given database and key prefix, on a free loopback port, with small
     * pools and short time-outs; every other key at its default. Read as a config.yaml is read.
     */
    Config config(String database, String keyPrefix) {
        Config.Postgres pg = base.postgres();
        Config.Redis redis = base.redis();
        return Config.from(Map.of(
                "postgres", Map.of("hosts", pg.hosts().stream().map(Config.HostPort::toString).toList(), "database", database, "user", pg.user(),
                        "password", pg.password(), "pool_size", 4, "connect_timeout_ms", 3000,
                        "statement_timeout_ms", 10_000, "startup_wait_seconds", 5),
                "redis", Map.of("host", redis.host(), "port", redis.port(),
                        "password", redis.password() == null ? "" : redis.password(), "timeout_ms", 100, "pool_size", 16),
                "server", Map.of("host", "127.0.0.1", "port", 0, "max_body_bytes", 1_048_576, "max_threads", 32),
                "cache", Map.of("ttl_seconds", 20, "key_prefix", keyPrefix)), Map.of(), "the test config");
    }

    Connection connect(String database) throws SQLException {
        Config.Postgres pg = base.postgres();
        return DriverManager.getConnection("jdbc:postgresql://" + pg.where() + "/" + database,
                pg.user(), pg.password());
    }

    RedisClient redis() {
        return RedisClient.builder().hostAndPort(base.redis().host(), base.redis().port())
                .clientConfig(redis.clients.jedis.DefaultJedisClientConfig.builder()
                        .password(base.redis().password()).build())
                .build();
    }

    /** Runs SQL on a database, as a superuser. */
    void execute(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Every row the query answers, each column as text (null for NULL). */
    List<List<String>> query(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            List<List<String>> rows = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The first column of every row, as text. */
    List<String> column(String database, String sql) {
        return query(database, sql).stream().map(row -> row.get(0)).toList();
    }

    /** The one number a query such as SELECT count(*) answers. */
    long count(String database, String sql) {
        return Long.parseLong(column(database, sql).get(0));
    }

    private void admin(String sql) {
        execute("postgres", sql);
    }

    @Override
    public void close() {
        for (String db : databases) {
            admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
        try (RedisClient redis = redis()) {
            ScanParams params = new ScanParams().match(runId + ":*").count(1000);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = redis.scan(cursor, params);
                if (!page.getResult().isEmpty()) {
                    redis.del(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
    }
}
