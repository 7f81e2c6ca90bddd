package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.otmicroservices.attendance.config.Config;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Test configs: copies with some keys changed, and the config.yaml files the jar and Main read. */
public final class TestConfigs {
    private TestConfigs() {}

    /**
     * A copy of c with some config.yaml keys changed ("section.key", value, ...), read back as Config.load reads a
     * file: one way to vary a config, by the names an operator uses, validated as the service validates them.
     */
    public static Config with(Config c, Object... keysAndValues) {
        Map<String, Object> tree = tree(c);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            String[] key = ((String) keysAndValues[i]).split("\\.", 2);
            tree.computeIfAbsent(key[0], k -> new LinkedHashMap<String, Object>());
            if ((key[0].equals("postgres") && key[1].equals("hosts"))
                    || (key[0].equals("redis") && (key[1].equals("sentinel") || key[1].equals("cluster")))) {
                // The list or the mode replaces the one host, as an operator would edit the file.
                section(tree, key[0]).keySet().removeAll(List.of("host", "port"));
            }
            section(tree, key[0]).put(key[1], keysAndValues[i + 1]);
        }
        return Config.from(tree, Map.of(), "a test config");
    }

    /** The config as the nested maps of a config.yaml, every key set, ready to edit (even into a wrong one). */
    static Map<String, Object> tree(Config c) {
        Config.Postgres pg = c.postgres();
        Config.Redis r = c.redis();
        Config.Server s = c.server();
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> postgres = pg.hosts().size() == 1
                ? map("host", pg.hosts().get(0).host(), "port", pg.hosts().get(0).port())
                : map("hosts", pg.hosts().stream().map(Config.HostPort::toString).toList());
        postgres.putAll(map("database", pg.database(), "user", pg.user(),
                "password", pg.password(), "pool_size", pg.poolSize(), "connect_timeout_ms", pg.connectTimeoutMs(),
                "statement_timeout_ms", pg.statementTimeoutMs(), "startup_wait_seconds", pg.startupWaitSeconds(),
                "migration_lock_wait_seconds", pg.migrationLockWaitSeconds(), "read_only", pg.readOnly()));
        root.put("postgres", postgres);
        Map<String, Object> redis = map("password", r.password() == null ? "" : r.password(),
                "timeout_ms", r.timeoutMs(), "pool_size", r.poolSize());
        if (r.sentinel() != null) {
            redis.put("sentinel", map("master", r.sentinel().master(), "nodes", r.sentinel().nodes(),
                    "password", r.sentinel().password() == null ? "" : r.sentinel().password()));
        } else if (r.cluster() != null) {
            redis.put("cluster", map("nodes", r.cluster().nodes()));
        } else {
            redis.put("host", r.host());
            redis.put("port", r.port());
        }
        root.put("redis", redis);
        root.put("server", map("host", s.host(), "port", s.port(), "max_body_bytes", s.maxBodyBytes(),
                "max_threads", s.maxThreads(), "max_bulk_body_bytes", s.maxBulkBodyBytes(), "trust_proxy", s.trustProxy(),
                "accept_queue", s.acceptQueue()));
        root.put("cache", map("ttl_seconds", c.cache().ttlSeconds(), "key_prefix", c.cache().keyPrefix()));
        root.put("json", map("date_format", c.dateFormat().name().toLowerCase(Locale.ROOT)));
        if (c.auth().writeToken() != null) {
            root.put("auth", map("write_token", c.auth().writeToken()));
        }
        return root;
    }

    /** One section of a tree, to edit in place. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> section(Map<String, Object> tree, String name) {
        return (Map<String, Object>) tree.get(name);
    }

    /** Writes dir/config.yaml, which Config.load reads back to the same config, and returns its path. */
    public static Path write(Path dir, Config c) {
        return write(dir, tree(c));
    }

    /** Writes a tree as dir/config.yaml and returns its path. */
    static Path write(Path dir, Map<String, Object> tree) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path file = dir.resolve("config.yaml");
        try {
            Files.writeString(file, new Yaml(options).dump(tree), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
