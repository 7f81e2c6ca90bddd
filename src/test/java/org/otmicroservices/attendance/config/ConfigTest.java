package org.otmicroservices.attendance.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.otmicroservices.attendance.TestConfigs;

/** README "Configuration": the Flask keys, optional keys and their defaults, env overrides, one-line errors. */
class ConfigTest {
    private static final String SECRET = "s3cret-Pa55";
    /** The Flask project's config.yaml, as it was. */
    private static final String FLASK_YAML = """
            postgres:
              database: attendance_db
              host: localhost
              port: 5432
              user: postgres
              password: password
            redis:
              host: localhost
              port: 6379
              password: ""
            """;

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private Config load(String yaml, Map<String, String> env) throws IOException {
        return Config.load(file(yaml), env);
    }

    private Config.ConfigException refused(String yaml, Map<String, String> env) throws IOException {
        Path file = file(yaml);
        Config.ConfigException e = assertThrows(Config.ConfigException.class, () -> Config.load(file, env));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), "never echoes a value: " + e.getMessage());
        return e;
    }

    @Test
    void theFlaskFileLoadsWithEveryOptionalKeyAtItsDefault() throws IOException {
        Config c = load(FLASK_YAML, Map.of());
        assertEquals(new Config.Postgres(List.of(new Config.HostPort("localhost", 5432)), "attendance_db", "postgres", "password", 8, 3000, 10_000, 30, 30, false), c.postgres());
        assertEquals(new Config.Redis("localhost", 6379, null, 100, 64), c.redis());
        assertEquals(new Config.Server("0.0.0.0", 8080, 1_048_576, 64, 33_554_432, false, 1024), c.server());
        assertEquals(new Config.Cache(20, "attendance:"), c.cache());
        assertTrue(c.cache().enabled());
        assertEquals(Config.DateFormat.RFC1123, c.dateFormat());
        assertEquals("jdbc:postgresql://localhost:5432/attendance_db?targetServerType=primary&hostRecheckSeconds=1", c.postgres().jdbcUrl());
    }

    @Test
    void optionalKeysAreReadFromTheFile() throws IOException {
        Config c = load(FLASK_YAML + """
                server: {port: 9090, max_body_bytes: 2048, host: 127.0.0.1, max_threads: 16}
                cache: {ttl_seconds: 5, key_prefix: "x:"}
                json: {date_format: iso}
                """, Map.of());
        assertEquals(new Config.Server("127.0.0.1", 9090, 2048, 16, 33_554_432, false, 1024), c.server());
        assertEquals(new Config.Cache(5, "x:"), c.cache());
        assertEquals(Config.DateFormat.ISO, c.dateFormat());
    }

    /** Every key at a value other than its default; also what TestConfigs.with relies on to copy a config. */
    @Test
    void everyKeyWrittenToTheFileIsReadBack() {
        Config c = new Config(new Config.Postgres(List.of(new Config.HostPort("db.example", 6543)), "d", "u", "no", 3, 1500, 2500, 7, 11, true),
                new Config.Redis("cache.example", 6380, "0123", 250, 5),
                new Config.Server("127.0.0.2", 8181, 2048, 9, 4096, true, 200),
                new Config.Cache(5, "k:"), Config.DateFormat.ISO, new Config.Auth("2023-01-01"));
        assertEquals(c, Config.load(TestConfigs.write(dir, c), Map.of()));
    }

    @Test
    void aPrimaryAndItsStandbysAreOneUrlThatConnectsOnlyToThePrimary() throws IOException {
        String yaml = FLASK_YAML.replace("  host: localhost\n  port: 5432\n", "  hosts: [\"db1:5432\", db2:6543, \"[::1]:5433\"]\n");
        Config c = load(yaml, Map.of());
        assertEquals(List.of(new Config.HostPort("db1", 5432), new Config.HostPort("db2", 6543), new Config.HostPort("::1", 5433)),
                c.postgres().hosts());
        assertEquals("jdbc:postgresql://db1:5432,db2:6543,[::1]:5433/attendance_db?targetServerType=primary&hostRecheckSeconds=1",
                c.postgres().jdbcUrl());
        assertEquals("jdbc:postgresql://db2:6543/attendance_db", c.postgres().jdbcUrl(c.postgres().hosts().get(1)));
        // Written back as a list, read back the same.
        assertEquals(c, Config.load(TestConfigs.write(dir, c), Map.of()));
    }

    @Test
    void postgresHostsFromTheEnvironmentWinOverTheFlaskHostAndPort() throws IOException {
        Config c = load(FLASK_YAML, Map.of("POSTGRES_HOSTS", "db1:5432, db2"));
        assertEquals(List.of(new Config.HostPort("db1", 5432), new Config.HostPort("db2", 5432)), c.postgres().hosts());
    }

    @Test
    void postgresHostsBesideHostInTheFileOrMalformedAreRefusedByName() throws IOException {
        Config.ConfigException e = refused(FLASK_YAML.replace("  port: 5432\n", "  port: 5432\n  hosts: [db1:5432]\n"), Map.of());
        assertTrue(e.getMessage().contains("postgres.hosts and postgres.host/port are both set"), e.getMessage());
        e = refused(FLASK_YAML, Map.of("POSTGRES_HOSTS", "db1:99999"));
        assertTrue(e.getMessage().contains("POSTGRES_HOSTS entry db1:99999 is not host:port"), e.getMessage());
        e = refused(FLASK_YAML, Map.of("POSTGRES_HOSTS", "::1:5432"));
        assertTrue(e.getMessage().contains("in brackets"), e.getMessage());
        e = refused(FLASK_YAML, Map.of("POSTGRES_HOSTS", ""));
        assertTrue(e.getMessage().contains("at least one"), e.getMessage());
    }

    @Test
    void sentinelAndClusterModesReadBackEveryKey() {
        Config base = new Config(new Config.Postgres(List.of(new Config.HostPort("db.example", 6543)), "d", "u", "no", 3, 1500, 2500, 7, 11, true),
                new Config.Redis("cache.example", 6380, "0123", 250, 5),
                new Config.Server("127.0.0.2", 8181, 2048, 9, 4096, true, 200),
                new Config.Cache(5, "k:"), Config.DateFormat.ISO, Config.Auth.NONE);
        Config sentinel = new Config(base.postgres(), new Config.Redis(null, 0, "pw", 250, 5,
                new Config.Sentinel("mymaster", List.of("s1:26379", "s2:26380"), "spw"), null),
                base.server(), base.cache(), base.dateFormat(), base.auth());
        Config cluster = new Config(base.postgres(), new Config.Redis(null, 0, null, 250, 5, null,
                new Config.Cluster(List.of("r1:6379", "r2:6379", "r3:6379"))),
                base.server(), base.cache(), base.dateFormat(), base.auth());
        assertEquals(sentinel, Config.load(TestConfigs.write(dir, sentinel), Map.of()));
        assertEquals("sentinel", sentinel.redis().mode());
        assertEquals(cluster, Config.load(TestConfigs.write(dir, cluster), Map.of()));
        assertEquals("cluster", cluster.redis().mode());
        assertEquals("single", base.redis().mode());
        assertFalse(sentinel.redis().toString().contains("spw"), sentinel.redis().toString());
    }

    @Test
    void sentinelOrClusterCanComeFromTheEnvironmentByThePathRule() throws IOException {
        String noRedisHost = FLASK_YAML.replace("  host: localhost\n  port: 6379\n", "");
        Config s = load(noRedisHost, Map.of("REDIS_SENTINEL_MASTER", "mymaster",
                "REDIS_SENTINEL_NODES", "s1:26379, s2:26379,s3:26379", "REDIS_SENTINEL_PASSWORD", SECRET));
        assertEquals(new Config.Sentinel("mymaster", List.of("s1:26379", "s2:26379", "s3:26379"), SECRET), s.redis().sentinel());
        Config c = load(noRedisHost, Map.of("REDIS_CLUSTER_NODES", "r1:7000,r2:7001"));
        assertEquals(new Config.Cluster(List.of("r1:7000", "r2:7001")), c.redis().cluster());
    }

    @Test
    void aConfigNamingTwoRedisModesIsRefusedNamingBoth() throws IOException {
        String e = refused(FLASK_YAML.replace("redis:\n", "redis:\n  sentinel: {master: m, nodes: [\"s1:26379\"]}\n"),
                Map.of()).getMessage();
        assertTrue(e.contains("redis.host/port and redis.sentinel"), e);
        String noRedisHost = FLASK_YAML.replace("  host: localhost\n  port: 6379\n", "");
        e = refused(noRedisHost + "  sentinel: {master: m, nodes: [\"s1:26379\"]}\n  cluster: {nodes: [\"r1:6379\"]}\n",
                Map.of()).getMessage();
        assertTrue(e.contains("redis.sentinel and redis.cluster"), e);
        e = refused(FLASK_YAML, Map.of("REDIS_CLUSTER_NODES", "r1:6379")).getMessage();
        assertTrue(e.contains("more than one mode"), e);
    }

    @Test
    void sentinelNodesMustBeHostsAndPortsAndTheMasterNamed() throws IOException {
        String noRedisHost = FLASK_YAML.replace("  host: localhost\n  port: 6379\n", "");
        String e = refused(noRedisHost + "  sentinel: {nodes: [\"s1:26379\"]}\n", Map.of()).getMessage();
        assertTrue(e.contains("redis.sentinel.master"), e);
        e = refused(noRedisHost + "  sentinel: {master: m, nodes: [\"s1\"]}\n", Map.of()).getMessage();
        assertTrue(e.contains("redis.sentinel.nodes must be a list of host:port"), e);
        e = refused(noRedisHost + "  cluster: {nodes: []}\n", Map.of()).getMessage();
        assertTrue(e.contains("redis.cluster.nodes"), e);
    }

    @Test
    void environmentVariablesNamedByTheKeyPathWin() throws IOException {
        Config c = load(FLASK_YAML, Map.of(
                "POSTGRES_PASSWORD", SECRET, "POSTGRES_HOST", "db.internal", "SERVER_PORT", "8181",
                "REDIS_HOST", "cache.internal", "REDIS_PASSWORD", "rpw", "CACHE_TTL_SECONDS", "0",
                "JSON_DATE_FORMAT", "ISO", "POSTGRES_POOL_SIZE", "3"));
        assertEquals(SECRET, c.postgres().password());
        assertEquals(List.of(new Config.HostPort("db.internal", 5432)), c.postgres().hosts());
        assertEquals(3, c.postgres().poolSize());
        assertEquals(8181, c.server().port());
        assertEquals("cache.internal", c.redis().host());
        assertEquals("rpw", c.redis().password());
        assertEquals(0, c.cache().ttlSeconds());
        assertFalse(c.cache().enabled());
        assertEquals(Config.DateFormat.ISO, c.dateFormat());
    }

    @Test
    void theEnvironmentCanSupplyARequiredKeyTheFileLacks() throws IOException {
        Config c = load(FLASK_YAML.replace("  password: password\n", ""), Map.of("POSTGRES_PASSWORD", SECRET));
        assertEquals(SECRET, c.postgres().password());
    }

    @Test
    void anEmptyRedisPasswordMeansNone() throws IOException {
        assertNull(load(FLASK_YAML, Map.of()).redis().password());
        assertNull(load(FLASK_YAML.replace("  password: \"\"", "  password:"), Map.of()).redis().password());
        assertNull(load(FLASK_YAML, Map.of("REDIS_PASSWORD", "")).redis().password());
    }

    @ParameterizedTest
    @ValueSource(strings = {"no", "on", "0123", "1:20", "2023-01-01", "0x1F", "1e3", ".inf", "12_345"})
    void aPasswordIsKeptAsWrittenNotReadAsAYamlNumberBooleanOrDate(String password) throws IOException {
        assertEquals(password, load(FLASK_YAML.replace("password: password", "password: " + password), Map.of()).postgres().password());
    }

    @Test
    void configFileNamesTheFileToLoad() throws IOException {
        Path file = file(FLASK_YAML.replace("attendance_db", "from_config_file"));
        assertEquals("from_config_file", Config.load(Map.of("CONFIG_FILE", file.toString())).postgres().database());
    }

    @Test
    void aMissingFileIsOneLineNamingIt() throws IOException {
        Path missing = dir.resolve("nope.yaml");
        Config.ConfigException e = assertThrows(Config.ConfigException.class, () -> Config.load(missing, Map.of()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        e = assertThrows(Config.ConfigException.class, () -> Config.load(Map.of("CONFIG_FILE", missing.toString())));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres.host", "postgres.port", "postgres.database", "postgres.user", "postgres.password",
            "redis.host", "redis.port"})
    void aMissingRequiredKeyIsOneLineNamingIt(String key) throws IOException {
        String name = key.substring(key.indexOf('.') + 1);
        String section = key.substring(0, key.indexOf('.'));
        // Drop the key's line inside its section only (postgres and redis share key names).
        String yaml = FLASK_YAML.replaceFirst("(" + section + ":\\n(?:  .*\\n)*?)  " + name + ":[^\\n]*\\n", "$1");
        Config.ConfigException e = refused(yaml, Map.of());
        assertTrue(e.getMessage().contains("required key " + key + " is missing"), e.getMessage());
        assertTrue(e.getMessage().contains(key.replace('.', '_').toUpperCase()), e.getMessage());
    }

    @Test
    void aWrongTypeIsOneLineNamingTheKeyWithoutItsValue() throws IOException {
        Config.ConfigException e = refused(FLASK_YAML.replace("port: 5432", "port: " + SECRET), Map.of());
        assertTrue(e.getMessage().contains("postgres.port must be a whole number"), e.getMessage());

        e = refused(FLASK_YAML.replace("password: password", "password: [" + SECRET + "]"), Map.of());
        assertTrue(e.getMessage().contains("postgres.password must be a single value"), e.getMessage());

        e = refused(FLASK_YAML.replace("password: password", "password: {x: " + SECRET + "}"), Map.of());
        assertTrue(e.getMessage().contains("postgres.password must be a single value"), e.getMessage());

        e = refused(FLASK_YAML + "server: 8080\n", Map.of());
        assertTrue(e.getMessage().contains("server must be a mapping"), e.getMessage());

        e = refused(FLASK_YAML + "server: {port: 70000}\n", Map.of());
        assertTrue(e.getMessage().contains("server.port must be between 0 and 65535"), e.getMessage());

        e = refused("- " + SECRET + "\n", Map.of());
        assertTrue(e.getMessage().contains("must be a YAML mapping"), e.getMessage());
    }

    @Test
    void aWrongTypeFromTheEnvironmentNamesTheVariable() throws IOException {
        Config.ConfigException e = refused(FLASK_YAML, Map.of("SERVER_PORT", SECRET));
        assertTrue(e.getMessage().startsWith("environment variable SERVER_PORT must be a whole number"), e.getMessage());
        e = refused(FLASK_YAML, Map.of("POSTGRES_PORT", "0"));
        assertTrue(e.getMessage().startsWith("environment variable POSTGRES_PORT must be between 1 and 65535"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "postgres: {password: " + SECRET + "\n",
        "postgres:\n  password: \"" + SECRET + "\n",
        "postgres:\n  password: " + SECRET + ": x\n",
        "postgres:\n\tpassword: " + SECRET + "\n"})
    void badYamlIsOneLineNamingTheFileWithoutItsText(String yaml) throws IOException {
        Config.ConfigException e = refused(yaml, Map.of());
        assertTrue(e.getMessage().contains(dir.resolve("config.yaml").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("is not valid YAML"), e.getMessage());
    }

    @Test
    void dateFormatIsRfc1123OrIso() throws IOException {
        assertEquals(Config.DateFormat.ISO, load(FLASK_YAML + "json: {date_format: iso}\n", Map.of()).dateFormat());
        assertEquals(Config.DateFormat.RFC1123, load(FLASK_YAML + "json: {date_format: RFC1123}\n", Map.of()).dateFormat());
        Config.ConfigException e = refused(FLASK_YAML + "json: {date_format: unix}\n", Map.of());
        assertTrue(e.getMessage().contains("json.date_format must be rfc1123 or iso"), e.getMessage());
    }
}
