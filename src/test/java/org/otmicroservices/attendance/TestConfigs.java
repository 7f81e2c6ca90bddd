package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Copies of a test Config with one part changed (records have no withers). */
final class TestConfigs {
    private TestConfigs() {}

    /** PostgreSQL reached at host:port, with the given pool time-outs (ms). */
    static Config postgres(Config c, String host, int port, int poolSize, int connectTimeoutMs, int statementTimeoutMs) {
        Config.Postgres pg = c.postgres();
        return new Config(new Config.Postgres(host, port, pg.database(), pg.user(), pg.password(), poolSize,
                connectTimeoutMs, statementTimeoutMs, pg.startupWaitSeconds(), pg.migrationLockWaitSeconds()),
                c.redis(), c.server(), c.cache(), c.dateFormat(), c.auth());
    }

    static Config poolSize(Config c, int poolSize) {
        Config.Postgres pg = c.postgres();
        return postgres(c, pg.host(), pg.port(), poolSize, pg.connectTimeoutMs(), pg.statementTimeoutMs());
    }

    static Config migrationLockWait(Config c, int seconds) {
        Config.Postgres pg = c.postgres();
        return new Config(new Config.Postgres(pg.host(), pg.port(), pg.database(), pg.user(), pg.password(), pg.poolSize(),
                pg.connectTimeoutMs(), pg.statementTimeoutMs(), pg.startupWaitSeconds(), seconds),
                c.redis(), c.server(), c.cache(), c.dateFormat(), c.auth());
    }

    static Config redis(Config c, String host, int port, int timeoutMs) {
        Config.Redis r = c.redis();
        return new Config(c.postgres(), new Config.Redis(host, port, r.password(), timeoutMs, r.poolSize()),
                c.server(), c.cache(), c.dateFormat(), c.auth());
    }

    static Config cacheTtl(Config c, int ttlSeconds) {
        return new Config(c.postgres(), c.redis(), c.server(), new Config.Cache(ttlSeconds, c.cache().keyPrefix()),
                c.dateFormat(), c.auth());
    }

    static Config writeToken(Config c, String token) {
        return new Config(c.postgres(), c.redis(), c.server(), c.cache(), c.dateFormat(), new Config.Auth(token));
    }

    static Config serverPort(Config c, int port) {
        Config.Server s = c.server();
        return new Config(c.postgres(), c.redis(), new Config.Server(s.host(), port, s.maxBodyBytes(), s.maxThreads()),
                c.cache(), c.dateFormat(), c.auth());
    }

    static Config withDateFormat(Config c, Config.DateFormat format) {
        return new Config(c.postgres(), c.redis(), c.server(), c.cache(), format, c.auth());
    }

    /** PostgreSQL at another local port (a proxy, or nothing), with short waits so failures answer quickly. */
    static Config withPostgresPort(Config c, int port, int connectTimeoutMs, int startupWaitSeconds) {
        Config.Postgres p = c.postgres();
        return new Config(new Config.Postgres("127.0.0.1", port, p.database(), p.user(), p.password(), p.poolSize(),
                connectTimeoutMs, p.statementTimeoutMs(), startupWaitSeconds, p.migrationLockWaitSeconds()),
                c.redis(), c.server(), c.cache(), c.dateFormat(), c.auth());
    }

    /** The config as a config.yaml that Config.load reads back to the same values, for Main and the jar. */
    static String yaml(Config c) {
        Config.Postgres pg = c.postgres();
        Config.Redis r = c.redis();
        Config.Server s = c.server();
        return "postgres:\n"
                + "  host: " + q(pg.host()) + "\n  port: " + pg.port() + "\n  database: " + q(pg.database())
                + "\n  user: " + q(pg.user()) + "\n  password: " + q(pg.password())
                + "\n  pool_size: " + pg.poolSize() + "\n  connect_timeout_ms: " + pg.connectTimeoutMs()
                + "\n  statement_timeout_ms: " + pg.statementTimeoutMs() + "\n  startup_wait_seconds: " + pg.startupWaitSeconds()
                + "\n  migration_lock_wait_seconds: " + pg.migrationLockWaitSeconds() + "\n"
                + "redis:\n  host: " + q(r.host()) + "\n  port: " + r.port() + "\n  password: " + q(r.password() == null ? "" : r.password())
                + "\n  timeout_ms: " + r.timeoutMs() + "\n  pool_size: " + r.poolSize() + "\n"
                + "server:\n  host: " + q(s.host()) + "\n  port: " + s.port() + "\n  max_body_bytes: " + s.maxBodyBytes()
                + "\n  max_threads: " + s.maxThreads() + "\n"
                + "cache:\n  ttl_seconds: " + c.cache().ttlSeconds() + "\n  key_prefix: " + q(c.cache().keyPrefix()) + "\n"
                + "json:\n  date_format: " + c.dateFormat().name().toLowerCase(Locale.ROOT) + "\n"
                + (c.auth().writeToken() == null ? "" : "auth:\n  write_token: " + q(c.auth().writeToken()) + "\n");
    }

    /** Writes yaml(c) to a new temporary file. */
    static Path yamlFile(Config c) {
        try {
            Path file = Files.createTempFile("attendance-config-", ".yaml");
            file.toFile().deleteOnExit();
            Files.writeString(file, yaml(c));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
