package org.otmicroservices.attendance;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;
import org.otmicroservices.attendance.cache.RedisConnections;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.db.Database;

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

    /** Every host must answer, and one of them must be the primary, which the service writes to. */
    private boolean postgres(Config.Postgres pg) {
        boolean ok = true;
        boolean primary = false;
        for (Config.HostPort host : pg.hosts()) {
            String where = "postgresql: " + pg.user() + "@" + host + "/" + pg.database();
            try {
                Database.ServerInfo info = Database.probe(pg, host, TIMEOUT_SECONDS);
                primary |= !info.standby();
                out.println("ok   " + where + " answers (PostgreSQL " + info.version() + ", " + info.role() + ")");
            } catch (Database.UnavailableException e) {
                out.println("FAIL " + where + ": " + e.getMessage());
                ok = false;
            }
        }
        if (ok && !primary) {
            out.println("FAIL postgresql: no host is a primary (every one is a standby): the service cannot write");
        }
        return ok && primary;
    }

    /** Each sentinel or cluster node on its own, then the service's own client (which finds the master). */
    private boolean redis(Config.Redis config) {
        boolean ok = true;
        List<String> nodes = config.sentinel() != null ? config.sentinel().nodes()
                : config.cluster() != null ? config.cluster().nodes() : List.of();
        for (String node : nodes) {
            String where = "redis " + config.mode() + " node: " + node;
            try {
                out.println("ok   " + where + " answers (" + RedisConnections.checkNode(config, node, TIMEOUT_SECONDS * 1000) + ")");
            } catch (RedisConnections.UnreachableException e) {
                out.println("FAIL " + where + ": " + e.getMessage());
                ok = false;
            }
        }
        String where = "redis: " + config.where();
        try {
            out.println("ok   " + where + " answers (" + RedisConnections.ping(config, TIMEOUT_SECONDS * 1000) + ")");
            return ok;
        } catch (RedisConnections.UnreachableException e) {
            out.println("FAIL " + where + ": " + e.getMessage());
            return false;
        }
    }
}
