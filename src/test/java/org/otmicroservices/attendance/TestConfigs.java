package org.otmicroservices.attendance;

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
}
