package org.otmicroservices.attendance;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * and all of them are removed when the run ends. A run that was killed cannot remove its databases, so each run
 * holds an advisory lock named by its id for as long as it lives, and the next run drops the databases of every
 * run whose lock is free: never those of a run still going, on this machine or another sharing the server.
 */
final class TestEnv implements AutoCloseable {
    private static final String DATABASES = "^attendance_test_[0-9a-f]{8}_[0-9]+$";
    /** pg_try_advisory_lock(RUNS, hashtext(run id)): the two-key form, apart from Migrations' one-key lock. */
    private static final String RUNS = "hashtext('attendance_test')";

    final Config base;
    final String runId;
    private final AtomicInteger counter = new AtomicInteger();
    private final List<String> databases = new ArrayList<>();
    /** The session that holds this run's lock; PostgreSQL frees it when the session ends, however the run ends. */
    private final Connection alive;

    private TestEnv() {
        base = Config.load(Path.of("config.yaml"), System.getenv());
        try {
            alive = connect("postgres");
            String id;
            do {
                id = "attendance_test_" + UUID.randomUUID().toString().substring(0, 8);
            } while (!tryLock(alive, id)); // an id whose hash another live run holds is drawn again
            runId = id;
            dropEndedRuns(alive, runId);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take the test run's lock: " + e.getMessage(), e);
        }
    }

    private static boolean tryLock(Connection c, String run) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(" + RUNS + ", hashtext(?))")) {
            s.setString(1, run);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Drops the databases of every run but own whose lock is free (its session, and so the run, has ended), on c's
     * server. Returns the databases dropped.
     */
    static List<String> dropEndedRuns(Connection c, String own) throws SQLException {
        Map<String, List<String>> byRun = new TreeMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT datname FROM pg_database WHERE datname ~ ? ORDER BY datname")) {
            s.setString(1, DATABASES);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String db = rs.getString(1);
                    byRun.computeIfAbsent(db.substring(0, db.lastIndexOf('_')), k -> new ArrayList<>()).add(db);
                }
            }
        }
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, List<String>> run : byRun.entrySet()) {
            // a lock this session holds is taken again (advisory locks count): own is skipped, not tried
            if (run.getKey().equals(own) || !tryLock(c, run.getKey())) {
                continue;
            }
            try (Statement s = c.createStatement()) {
                for (String db : run.getValue()) {
                    s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
                    dropped.add(db);
                }
            } finally {
                try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(" + RUNS + ", hashtext(?))")) {
                    s.setString(1, run.getKey());
                    s.execute();
                }
            }
        }
        return dropped;
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
        try {
            alive.close();
        } catch (SQLException e) {
            // the lock goes with the session either way
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
