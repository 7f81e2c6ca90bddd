package org.otmicroservices.attendance.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The service's settings: the Flask config.yaml keys plus optional ones, each overridable by an environment
 * variable named by its path (postgres.password -> POSTGRES_PASSWORD). Built once, validated, immutable.
 */
public record Config(Postgres postgres, Redis redis, Server server, Cache cache, DateFormat dateFormat, Auth auth) {

    /**
     * hosts: one server, or a primary and its standbys in any order; the driver finds the primary (see jdbcUrl).
     * migrationLockWaitSeconds: how long start-up waits for another instance's migration (or a Liquibase lock)
     * before giving up. readOnly: every session is opened read-only, so PostgreSQL itself refuses any write (the
     * class-archive training run relies on it).
     */
    public record Postgres(List<HostPort> hosts, String database, String user, String password,
                           int poolSize, int connectTimeoutMs, int statementTimeoutMs, int startupWaitSeconds,
                           int migrationLockWaitSeconds, boolean readOnly) {
        public static final int DEFAULT_MIGRATION_LOCK_WAIT_SECONDS = 30;
        /**
         * How long pgjdbc trusts what it learnt of a host (down, or a standby) before asking it again. Its default
         * of 10 s would keep a just-promoted standby out of use for up to 10 s after a failover.
         */
        static final int HOST_RECHECK_SECONDS = 1;

        public Postgres {
            hosts = List.copyOf(hosts);
        }

        /**
         * Every host in one URL, connecting only to the one that takes writes (targetServerType=primary, which
         * pgjdbc checks on each new connection): the service never writes to a standby, and after a failover
         * new connections go to the promoted server without a restart.
         */
        public String jdbcUrl() {
            // pgjdbc tells a primary by transaction_read_only, which a read-only session shows on everywhere.
            return jdbcUrl(hosts) + "?targetServerType=" + (readOnly ? "any" : "primary") + "&hostRecheckSeconds=" + HOST_RECHECK_SECONDS;
        }

        /** The URL of one host, whatever its role: for asking each host which role it has. */
        public String jdbcUrl(HostPort host) {
            return jdbcUrl(List.of(host));
        }

        private String jdbcUrl(List<HostPort> servers) {
            return "jdbc:postgresql://" + String.join(",", servers.stream().map(HostPort::toString).toList()) + "/" + database;
        }

        /** host:port, or host:port,host:port,... */
        public String where() {
            return String.join(",", hosts.stream().map(HostPort::toString).toList());
        }

        // Records print every component; a config that ends up in a log line must not carry the password.
        @Override
        public String toString() {
            return "Postgres[" + user + "@" + where() + "/" + database + ", password=" + redacted(password) + "]";
        }
    }

    /** One server's address; an IPv6 address is written in brackets, as in a URL. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Exactly one mode: single node (host, port: the Flask keys), sentinel or cluster (host null, port 0 then).
     * password is the data nodes' password in every mode; Sentinel has the sentinels' own.
     */
    public record Redis(String host, int port, String password, int timeoutMs, int poolSize, Sentinel sentinel,
                        Cluster cluster) {
        /** A single node. */
        public Redis(String host, int port, String password, int timeoutMs, int poolSize) {
            this(host, port, password, timeoutMs, poolSize, null, null);
        }

        public String mode() {
            return sentinel != null ? "sentinel" : cluster != null ? "cluster" : "single";
        }

        /** Where the service finds Redis, for log lines and check-config: never a password. */
        public String where() {
            return sentinel != null ? "sentinel master " + sentinel.master() + " via " + String.join(",", sentinel.nodes())
                    : cluster != null ? "cluster " + String.join(",", cluster.nodes()) : host + ":" + port;
        }

        @Override
        public String toString() {
            return "Redis[" + where() + ", password=" + redacted(password)
                    + (sentinel != null ? ", sentinel password=" + redacted(sentinel.password()) : "") + "]";
        }
    }

    /** nodes: host:port of each sentinel; password: the sentinels' own (requirepass on the sentinels), or null. */
    public record Sentinel(String master, List<String> nodes, String password) {
        @Override
        public String toString() {
            return "Sentinel[" + master + " via " + nodes + ", password=" + redacted(password) + "]";
        }
    }

    /** nodes: host:port of some cluster nodes; the client learns the others from them. */
    public record Cluster(List<String> nodes) {}

    /** writeToken null: writes need no token. Otherwise every write needs "Authorization: Bearer <writeToken>". */
    public record Auth(String writeToken) {
        public static final Auth NONE = new Auth(null);

        @Override
        public String toString() {
            return "Auth[writeToken=" + redacted(writeToken) + "]";
        }
    }

    /**
     * maxBulkBodyBytes: POST /bulk only; 100,000 CSV or JSON rows need several MiB, far above maxBodyBytes.
     * trustProxy: the access log takes the client address from X-Forwarded-For, which only a proxy we run may set.
     * acceptQueue: connections the kernel holds for the service before it accepts them; the JDK's default of 50
     * drops a burst's SYNs beyond it, which clients retry only a second later. Linux caps it at net.core.somaxconn.
     */
    public record Server(String host, int port, long maxBodyBytes, int maxThreads, long maxBulkBodyBytes,
                         boolean trustProxy, int acceptQueue) {
        public static final int DEFAULT_ACCEPT_QUEUE = 1024;
        public static final long DEFAULT_MAX_BULK_BODY_BYTES = 32L * 1024 * 1024;
    }

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
            LoaderOptions options = new LoaderOptions();
            DumperOptions unused = new DumperOptions();
            root = new Yaml(new SafeConstructor(options), new Representer(unused), unused, options, new TextResolver()).load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file.toAbsolutePath() + ": " + reason(e));
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

    // The exception's own message is the path again ("NoSuchFile /x/config.yaml"): say what is wrong instead.
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file (set CONFIG_FILE, or start in the directory that holds config.yaml)";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }

    public static Config from(Map<String, Object> yaml, Map<String, String> env, String source) {
        KeyReader r = new KeyReader(yaml, env, source);
        Postgres postgres = new Postgres(
                postgresHosts(r),
                r.string("postgres.database", null),
                r.string("postgres.user", null),
                r.string("postgres.password", null),
                r.integer("postgres.pool_size", 8, 1, 1000),
                r.integer("postgres.connect_timeout_ms", 3000, 250, 600_000),
                r.integer("postgres.statement_timeout_ms", 10_000, 0, 3_600_000),
                r.integer("postgres.startup_wait_seconds", 30, 0, 3600),
                r.integer("postgres.migration_lock_wait_seconds", Postgres.DEFAULT_MIGRATION_LOCK_WAIT_SECONDS, 0, 86_400),
                r.bool("postgres.read_only", false));
        Redis redis = redis(r);
        Server server = new Server(
                r.string("server.host", "0.0.0.0"),
                r.integer("server.port", 8080, 0, 65535),
                r.integer("server.max_body_bytes", 1_048_576, 1, Integer.MAX_VALUE),
                r.integer("server.max_threads", 64, 8, 10_000),
                r.integer("server.max_bulk_body_bytes", (int) Server.DEFAULT_MAX_BULK_BODY_BYTES, 1, Integer.MAX_VALUE),
                r.bool("server.trust_proxy", false),
                r.integer("server.accept_queue", Server.DEFAULT_ACCEPT_QUEUE, 1, 65_535));
        Cache cache = new Cache(
                r.integer("cache.ttl_seconds", 20, 0, 86_400),
                r.string("cache.key_prefix", "attendance:"));
        DateFormat dateFormat = switch (r.string("json.date_format", "rfc1123").toLowerCase(Locale.ROOT)) {
            case "rfc1123" -> DateFormat.RFC1123;
            case "iso" -> DateFormat.ISO;
            default -> throw r.invalid("json.date_format", "must be rfc1123 or iso");
        };
        String writeToken = r.string("auth.write_token", "");
        return new Config(postgres, redis, server, cache, dateFormat, writeToken.isEmpty() ? Auth.NONE : new Auth(writeToken));
    }

    /**
     * postgres.hosts (a list, or in the environment host:port,host:port), else the Flask keys host and port as a
     * list of one. POSTGRES_HOSTS wins over both; a file that names both forms is refused rather than guessed.
     */
    private static List<HostPort> postgresHosts(KeyReader r) {
        List<String> hosts = r.list("postgres.hosts");
        if (hosts == null) {
            return List.of(new HostPort(r.string("postgres.host", null), r.integer("postgres.port", null, 1, 65535)));
        }
        if (!r.fromEnvironment("postgres.hosts") && (r.present("postgres.host") || r.present("postgres.port"))) {
            throw r.invalid("postgres.hosts", "and postgres.host/port are both set: keep one of them");
        }
        if (hosts.isEmpty()) {
            throw r.invalid("postgres.hosts", "must name at least one host:port");
        }
        return hosts.stream().map(h -> hostPort(r, h)).toList();
    }

    private static HostPort hostPort(KeyReader r, String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        String host = colon < 0 || t.endsWith("]") ? t : t.substring(0, colon);
        String port = colon < 0 || t.endsWith("]") ? "5432" : t.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw r.invalid("postgres.hosts", "entry " + t + ": write an IPv6 address in brackets, [addr]:port");
        }
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw r.invalid("postgres.hosts", "entry " + t + " is not host:port");
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    private static Redis redis(KeyReader r) {
        boolean sentinel = r.present("redis.sentinel.master") || r.present("redis.sentinel.nodes");
        boolean cluster = r.present("redis.cluster.nodes");
        boolean single = r.present("redis.host") || r.present("redis.port");
        List<String> named = new java.util.ArrayList<>();
        if (single) {
            named.add("redis.host/port");
        }
        if (sentinel) {
            named.add("redis.sentinel");
        }
        if (cluster) {
            named.add("redis.cluster");
        }
        if (named.size() > 1) {
            throw new ConfigException(r.source + ": Redis is configured in more than one mode (" + String.join(" and ", named)
                    + "); keep exactly one of redis.host/port, redis.sentinel, redis.cluster");
        }
        String password = emptyAsNull(r.string("redis.password", ""));
        int timeoutMs = r.integer("redis.timeout_ms", 100, 1, 60_000);
        int poolSize = r.integer("redis.pool_size", 64, 1, 1000); // = server.max_threads: no request waits for a connection
        if (sentinel) {
            Sentinel s = new Sentinel(r.string("redis.sentinel.master", null), r.hostsAndPorts("redis.sentinel.nodes"),
                    emptyAsNull(r.string("redis.sentinel.password", "")));
            return new Redis(null, 0, password, timeoutMs, poolSize, s, null);
        }
        if (cluster) {
            return new Redis(null, 0, password, timeoutMs, poolSize, null, new Cluster(r.hostsAndPorts("redis.cluster.nodes")));
        }
        return new Redis(r.string("redis.host", null), r.integer("redis.port", null, 1, 65535), password, timeoutMs, poolSize);
    }

    private static String emptyAsNull(String s) {
        return s.isEmpty() ? null : s;
    }

    private static String redacted(String secret) {
        return secret == null || secret.isEmpty() ? "<none>" : "<redacted>";
    }

    /**
     * Plain scalars stay the text they were written as, so a password such as no, 0123, 1:20 or 2023-01-01 is not
     * read as YAML 1.1's false, 83, 80 or a date; numeric keys are parsed from that text by KeyReader. Only the
     * null forms (empty, ~, null) keep their meaning.
     */
    private static final class TextResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    /** Reads dotted keys from the YAML tree, letting the environment win, and names the key in every error. */
    private static final class KeyReader {
        /** Environment names that break the path rule; the path-rule name still works too. */
        private static final Map<String, String> ENV_ALIASES = Map.of("auth.write_token", "ATTENDANCE_WRITE_TOKEN");

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

        /** A YAML list of scalars, or from the environment a comma-separated list; null when not set. */
        List<String> list(String key) {
            Object value = raw(key);
            if (value == null) {
                return null;
            }
            if (value instanceof String s) {
                return s.isBlank() ? List.of() : List.of(s.split(","));
            }
            if (!(value instanceof List<?> items) || items.stream().anyMatch(i -> i == null || i instanceof Map || i instanceof List)) {
                throw invalid(key, "must be a list of host:port");
            }
            return items.stream().map(String::valueOf).toList();
        }

        boolean fromEnvironment(String key) {
            return env.containsKey(envName(key));
        }

        boolean bool(String key, boolean fallback) {
            Object value = raw(key);
            if (value == null) {
                return fallback;
            }
            if (value instanceof Boolean b) {
                return b;
            }
            if (value instanceof String s && s.strip().equalsIgnoreCase("true")) {
                return true;
            }
            if (value instanceof String s && s.strip().equalsIgnoreCase("false")) {
                return false;
            }
            throw invalid(key, "must be true or false (got " + describe(value) + ")");
        }

        boolean present(String key) {
            return raw(key) != null;
        }

        /** A YAML list of host:port, or in the environment one comma-separated line of them; at least one. */
        List<String> hostsAndPorts(String key) {
            List<String> items = list(key);
            if (items == null) {
                throw missing(key);
            }
            List<String> nodes = new java.util.ArrayList<>();
            for (String item : items) {
                String node = item.strip();
                int colon = node.lastIndexOf(':');
                if (colon <= 0 || !node.substring(colon + 1).matches("\\d{1,5}")
                        || Integer.parseInt(node.substring(colon + 1)) < 1 || Integer.parseInt(node.substring(colon + 1)) > 65535) {
                    throw invalid(key, "must be a list of host:port (got an entry that is not)");
                }
                nodes.add(node);
            }
            if (nodes.isEmpty()) {
                throw invalid(key, "must name at least one host:port");
            }
            return List.copyOf(nodes);
        }

        ConfigException invalid(String key, String why) {
            String envName = ENV_ALIASES.containsKey(key) && env.containsKey(ENV_ALIASES.get(key)) ? ENV_ALIASES.get(key) : envName(key);
            String where = env.containsKey(envName) ? "environment variable " + envName : source + ": " + key;
            return new ConfigException(where + " " + why);
        }

        private ConfigException missing(String key) {
            return new ConfigException(source + ": required key " + key + " is missing (or set " + envName(key) + ")");
        }

        private Object raw(String key) {
            String alias = ENV_ALIASES.get(key);
            String fromEnv = alias != null && env.get(alias) != null ? env.get(alias) : env.get(envName(key));
            if (fromEnv != null) {
                return fromEnv;
            }
            String[] parts = key.split("\\.");
            Object node = yaml;
            for (int i = 0; i < parts.length; i++) {
                if (node == null) {
                    return null;
                }
                if (!(node instanceof Map<?, ?> map)) {
                    throw new ConfigException(source + ": " + String.join(".", java.util.Arrays.copyOf(parts, i))
                            + " must be a mapping of keys");
                }
                node = map.get(parts[i]);
            }
            return node;
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
