package org.otmicroservices.attendance;

/** Variants of a test Config (records are immutable: each helper copies with one section changed). */
final class TestConfigs {
    private TestConfigs() {}

    static Config withTtl(Config c, int ttlSeconds) {
        return new Config(c.postgres(), c.redis(), c.server(), new Config.Cache(ttlSeconds, c.cache().keyPrefix()), c.dateFormat());
    }

    static Config withDateFormat(Config c, Config.DateFormat format) {
        return new Config(c.postgres(), c.redis(), c.server(), c.cache(), format);
    }

    static Config withRedisPort(Config c, int port) {
        Config.Redis r = c.redis();
        return new Config(c.postgres(), new Config.Redis("127.0.0.1", port, r.password(), r.timeoutMs(), r.poolSize()),
                c.server(), c.cache(), c.dateFormat());
    }

    /** PostgreSQL at another port (a proxy, or nothing), with short waits so failures answer quickly. */
    static Config withPostgresPort(Config c, int port, int connectTimeoutMs, int startupWaitSeconds) {
        Config.Postgres p = c.postgres();
        return new Config(new Config.Postgres("127.0.0.1", port, p.database(), p.user(), p.password(), p.poolSize(),
                connectTimeoutMs, p.statementTimeoutMs(), startupWaitSeconds), c.redis(), c.server(), c.cache(), c.dateFormat());
    }

    static Config withMaxBodyBytes(Config c, long maxBodyBytes) {
        Config.Server s = c.server();
        return new Config(c.postgres(), c.redis(), new Config.Server(s.host(), s.port(), maxBodyBytes, s.maxThreads()),
                c.cache(), c.dateFormat());
    }
}
