package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Runs the shaded jar as an operator does: `java <run.sh's JVM flags> -jar target/attendance-api.jar` in a
 * working directory of its own, configured by a config.yaml written there. Databases and key prefixes come
 * from TestEnv (dropped when the run ends). Register with @RegisterExtension on a static field; every process
 * a test started is stopped after it, pass or fail.
 */
final class JarHarness implements BeforeAllCallback, AfterEachCallback {
    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final Path JAR = Path.of(System.getProperty("attendance.jar", "target/attendance-api.jar")).toAbsolutePath();
    /** run.sh's production flags, read from run.sh itself so the two cannot drift apart. */
    static final List<String> JVM_FLAGS = runShJavaOpts();

    TestEnv env;
    private final List<JarProcess> started = new ArrayList<>();
    private static final AtomicInteger processes = new AtomicInteger();

    @Override
    public void beforeAll(ExtensionContext context) {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run `mvn verify` (package builds it)");
        env = TestEnv.get(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (JarProcess p : started) {
            p.close();
        }
        started.clear();
    }

    /**
     * A complete config (as nested maps, ready to edit) for the shared PostgreSQL and Redis, with a unique
     * Redis key prefix, the given database and a free loopback port.
     */
    Map<String, Object> config(String database) {
        Config base = env.base;
        Map<String, Object> postgres = new LinkedHashMap<>();
        postgres.put("database", database);
        postgres.put("host", base.postgres().host());
        postgres.put("port", base.postgres().port());
        postgres.put("user", base.postgres().user());
        postgres.put("password", base.postgres().password());
        postgres.put("pool_size", 2);
        postgres.put("startup_wait_seconds", 5);
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("host", base.redis().host());
        redis.put("port", base.redis().port());
        redis.put("password", base.redis().password() == null ? "" : base.redis().password());
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("host", "127.0.0.1");
        server.put("port", freePort());
        server.put("max_threads", 16);
        Map<String, Object> cache = new LinkedHashMap<>();
        cache.put("key_prefix", env.newKeyPrefix());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("postgres", postgres);
        root.put("redis", redis);
        root.put("server", server);
        root.put("cache", cache);
        return root;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> section(Map<String, Object> config, String name) {
        return (Map<String, Object>) config.get(name);
    }

    static int port(Map<String, Object> config) {
        return (Integer) section(config, "server").get("port");
    }

    /** Writes dir/config.yaml and returns its path. */
    static Path writeConfig(Path dir, Map<String, Object> config) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path file = dir.resolve("config.yaml");
        try {
            Files.writeString(file, new Yaml(options).dump(config), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Starts the jar in workDir with the given extra environment and arguments. */
    JarProcess start(Path workDir, Map<String, String> extraEnv, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> childEnv = pb.environment();
        // The child must see only the config the test wrote: drop overrides that the shell running Maven may
        // carry (POSTGRES_HOST etc.), and JVM option variables, which make the JVM print a line on stderr.
        childEnv.keySet().removeIf(k -> k.equals("CONFIG_FILE") || k.matches("(POSTGRES|REDIS|SERVER|CACHE|JSON)_.*")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("_JAVA_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        childEnv.putAll(extraEnv);
        try {
            // Kept under target/ so that a failed CI run leaves the service's own output to read.
            Path logs = Files.createDirectories(PROJECT.resolve("target/jar-it/" + env.runId + "_" + processes.incrementAndGet()));
            Path out = logs.resolve("stdout.log");
            Path err = logs.resolve("stderr.log");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            JarProcess process = new JarProcess(pb.start(), out, err);
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The output lines and exit code of scripts/smoke.sh run against a local port. */
    record Smoke(int exitCode, List<String> lines) {}

    static Smoke smoke(int port) {
        ProcessBuilder pb = new ProcessBuilder(PROJECT.resolve("scripts/smoke.sh").toString(), "http://127.0.0.1:" + port)
                .directory(PROJECT.toFile()).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("smoke.sh did not finish: " + output);
            }
            return new Smoke(p.exitValue(), output.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }

    private static List<String> runShJavaOpts() {
        try {
            Matcher m = Pattern.compile("JAVA_OPTS=\"\\$\\{JAVA_OPTS:-([^}]*)}\"")
                    .matcher(Files.readString(PROJECT.resolve("run.sh")));
            if (!m.find()) {
                throw new IllegalStateException("run.sh no longer sets JAVA_OPTS=\"${JAVA_OPTS:-...}\"");
            }
            return List.of(m.group(1).trim().split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
