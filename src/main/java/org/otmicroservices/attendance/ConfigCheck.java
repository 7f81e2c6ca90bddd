package org.otmicroservices.attendance;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.util.Causes;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The check-config command: loads and validates the config as serve would, then checks that PostgreSQL and Redis
 * answer, with short time-outs and no retries. One line per check ("ok   ..." or "FAIL ..."); exit 0 only if
 * every check passed. Redis counts: the service runs without it, but without its cache, so a wrong Redis
 * setting is worth failing a deploy for. No line ever carries a password.
 */
final class ConfigCheck {
    private static final int TIMEOUT_SECONDS = 3;

    private final PrintStream out;

    ConfigCheck(PrintStream out) {
        this.out = out;
    }

    int run(Map<String, String> env) {
        Path file = Path.of(env.getOrDefault("CONFIG_FILE", "config.yaml")).toAbsolutePath();
        Config config;
        try {
            config = Config.load(env);
        } catch (Config.ConfigException e) {
            out.println("FAIL config: " + e.getMessage());
            return 1;
        }
        out.println("ok   config: " + file + " is valid");
        boolean postgres = postgres(config.postgres());
        boolean redis = redis(config.redis());
        return postgres && redis ? 0 : 1;
    }

    private boolean postgres(Config.Postgres pg) {
        String where = "postgresql: " + pg.user() + "@" + pg.host() + ":" + pg.port() + "/" + pg.database();
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password());
        props.setProperty("connectTimeout", String.valueOf(TIMEOUT_SECONDS));
        props.setProperty("loginTimeout", String.valueOf(TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", String.valueOf(TIMEOUT_SECONDS));
        props.setProperty("ApplicationName", "attendance-api check-config");
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), props); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            out.println("ok   " + where + " answers (PostgreSQL " + rs.getString(1) + ")");
            return true;
        } catch (SQLException e) {
            out.println("FAIL " + where + ": " + Causes.rootMessage(e));
            return false;
        }
    }

    private boolean redis(Config.Redis config) {
        String where = "redis: " + config.host() + ":" + config.port();
        try (RedisClient redis = RedisClient.builder()
                .hostAndPort(config.host(), config.port())
                .clientConfig(DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(TIMEOUT_SECONDS * 1000)
                        .socketTimeoutMillis(TIMEOUT_SECONDS * 1000)
                        .password(config.password())
                        .clientName("attendance-api-check")
                        .build())
                .build()) {
            String reply = redis.ping();
            out.println("ok   " + where + " answers (" + reply + ")");
            return true;
        } catch (JedisException e) {
            out.println("FAIL " + where + ": " + Causes.rootMessage(e));
            return false;
        }
    }

}
