package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The service's settings: the Flask config.yaml keys plus optional ones, each overridable by an environment
 * variable named by its path (postgres.password -> POSTGRES_PASSWORD). Built once, validated, immutable.
 */
public record Config(Postgres postgres, Redis redis, Server server, Cache cache, DateFormat dateFormat) {

    public record Postgres(String host, int port, String database, String user, String password,
                           int poolSize, int connectTimeoutMs, int statementTimeoutMs, int startupWaitSeconds) {
        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    public record Redis(String host, int port, String password, int timeoutMs, int poolSize) {}

    public record Server(String host, int port, long maxBodyBytes, int maxThreads) {}

    /** ttlSeconds 0 turns the cache off; keyPrefix keeps this service's keys apart from Flask's and from tests'. */
    public record Cache(int ttlSeconds, String keyPrefix) {
        public boolean enabled() {
            return ttlSeconds > 0;
        }
    }

    public enum DateFormat { RFC1123, ISO }

    /** A config that cannot be used; the message is one line naming the file or key. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }

    /** Loads $CONFIG_FILE, or config.yaml from the working directory, as the Flask service did. */
    public static Config load(Map<String, String> env) {
        String file = env.getOrDefault("CONFIG_FILE", "config.yaml");
        return load(Path.of(file), env);
    }

    public static Config load(Path file, Map<String, String> env) {
        Object root;
        try (Reader reader = Files.newBufferedReader(file)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file.toAbsolutePath() + ": "
                    + e.getClass().getSimpleName().replace("Exception", "") + " " + e.getMessage());
        } catch (YAMLException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root != null && !(root instanceof Map)) {
            throw new ConfigException("config file " + file + " must be a YAML mapping of sections (postgres, redis, ...)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> yaml = root == null ? Map.of() : (Map<String, Object>) root;
        return from(yaml, env, file.toString());
    }

    static Config from(Map<String, Object> yaml, Map<String, String> env, String source) {
        KeyReader r = new KeyReader(yaml, env, source);
        Postgres postgres = new Postgres(
                r.string("postgres.host", null),
                r.integer("postgres.port", null, 1, 65535),
                r.string("postgres.database", null),
                r.string("postgres.user", null),
                r.string("postgres.password", null),
                r.integer("postgres.pool_size", 8, 1, 1000),
                r.integer("postgres.connect_timeout_ms", 3000, 250, 600_000),
                r.integer("postgres.statement_timeout_ms", 10_000, 0, 3_600_000),
                r.integer("postgres.startup_wait_seconds", 30, 0, 3600));
        String redisPassword = r.string("redis.password", "");
        Redis redis = new Redis(
                r.string("redis.host", null),
                r.integer("redis.port", null, 1, 65535),
                redisPassword.isEmpty() ? null : redisPassword,
                r.integer("redis.timeout_ms", 100, 1, 60_000),
                r.integer("redis.pool_size", 64, 1, 1000)); // = server.max_threads: no request waits for a connection
        Server server = new Server(
                r.string("server.host", "0.0.0.0"),
                r.integer("server.port", 8080, 0, 65535),
                r.integer("server.max_body_bytes", 1_048_576, 1, Integer.MAX_VALUE),
                r.integer("server.max_threads", 64, 8, 10_000));
        Cache cache = new Cache(
                r.integer("cache.ttl_seconds", 20, 0, 86_400),
                r.string("cache.key_prefix", "attendance:"));
        DateFormat dateFormat = switch (r.string("json.date_format", "rfc1123").toLowerCase(Locale.ROOT)) {
            case "rfc1123" -> DateFormat.RFC1123;
            case "iso" -> DateFormat.ISO;
            default -> throw r.invalid("json.date_format", "must be rfc1123 or iso");
        };
        return new Config(postgres, redis, server, cache, dateFormat);
    }

    /** Reads dotted keys from the YAML tree, letting the environment win, and names the key in every error. */
    private static final class KeyReader {
        private final Map<String, Object> yaml;
        private final Map<String, String> env;
        private final String source;

        KeyReader(Map<String, Object> yaml, Map<String, String> env, String source) {
            this.yaml = yaml;
            this.env = env;
            this.source = source;
        }

        String string(String key, String fallback) {
            Object value = raw(key);
            if (value == null) {
                if (fallback == null) {
                    throw missing(key);
                }
                return fallback;
            }
            if (value instanceof Map || value instanceof List) {
                throw invalid(key, "must be a single value, not a " + (value instanceof Map ? "mapping" : "list"));
            }
            return String.valueOf(value);
        }

        int integer(String key, Integer fallback, int min, int max) {
            Object value = raw(key);
            if (value == null) {
                if (fallback == null) {
                    throw missing(key);
                }
                return fallback;
            }
            long parsed;
            if (value instanceof Integer || value instanceof Long) {
                parsed = ((Number) value).longValue();
            } else if (value instanceof String s && s.strip().matches("-?\\d{1,10}")) {
                parsed = Long.parseLong(s.strip());
            } else {
                throw invalid(key, "must be a whole number (got " + describe(value) + ")");
            }
            if (parsed < min || parsed > max) {
                throw invalid(key, "must be between " + min + " and " + max + " (got " + parsed + ")");
            }
            return (int) parsed;
        }

        ConfigException invalid(String key, String why) {
            String envName = envName(key);
            String where = env.containsKey(envName) ? "environment variable " + envName : source + ": " + key;
            return new ConfigException(where + " " + why);
        }

        private ConfigException missing(String key) {
            return new ConfigException(source + ": required key " + key + " is missing (or set " + envName(key) + ")");
        }

        private Object raw(String key) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                return fromEnv;
            }
            String[] parts = key.split("\\.");
            Object section = yaml.get(parts[0]);
            if (section == null) {
                return null;
            }
            if (!(section instanceof Map<?, ?> map)) {
                throw new ConfigException(source + ": " + parts[0] + " must be a mapping of keys");
            }
            return map.get(parts[1]);
        }

        private static String envName(String key) {
            return key.replace('.', '_').toUpperCase(Locale.ROOT);
        }

        // Never echoes the value itself: it may be a password.
        private static String describe(Object value) {
            return value instanceof String ? "text" : value.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        }
    }
}
