package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.http.Routes;

/**
 * One process of the shaded jar, run as an operator runs it: `java <run.sh's JVM flags> -jar target/attendance-api.jar`
 * in a working directory, configured by the config.yaml there or by CONFIG_FILE, and by nothing else of the
 * environment the tests run in. Its stdout (the access log) and stderr go to files under target/jar-it/, kept so
 * that a failed CI run leaves them to read. For what only a process shows: exit codes, signals, logs, instances
 * side by side. Closing it stops it: SIGTERM, then SIGKILL if it lingers.
 *
 * A test class starts them through its Launcher, which also gives it the per-run databases and stops, after the
 * class, whatever is still running: {@code @RegisterExtension static final JarProcess.Launcher jar = new JarProcess.Launcher();}
 */
final class JarProcess implements AutoCloseable {
    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final Path JAR = Path.of(System.getProperty("attendance.jar", "target/attendance-api.jar")).toAbsolutePath();
    /** run.sh's production flags for this JVM, asked from run.sh itself so the two cannot drift apart. */
    static final List<String> JVM_FLAGS = runShJavaOpts(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    private static final Duration STOP = Duration.ofSeconds(15); // the systemd unit's TimeoutStopSec
    private static final AtomicInteger started = new AtomicInteger();

    private final Process process;
    private final int port;
    private final Path stdout;
    private final Path stderr;
    private final long startNanos = System.nanoTime();
    private volatile boolean stopped; // by signal("STOP"): close() must continue it before SIGTERM can act

    private JarProcess(Process process, int port, Path stdout, Path stderr) {
        this.process = process;
        this.port = port;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts processes for one test class and stops, after it, those still running. */
    static final class Launcher implements BeforeAllCallback, AfterAllCallback {
        TestEnv env;
        private final List<JarProcess> processes = new CopyOnWriteArrayList<>();

        @Override
        public void beforeAll(ExtensionContext context) {
            assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the *IT tests run in `mvn verify`, after package");
            env = TestEnv.get(context);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            processes.forEach(JarProcess::close);
        }

        /** A config for the shared PostgreSQL and Redis: the given database, a fresh key prefix, a free loopback port. */
        Config config(String database) {
            return TestConfigs.with(env.config(database, env.newKeyPrefix()), "server.port", Ports.free());
        }

        /** The jar serving (no arguments, as run.sh starts it) on `port`, which its config or env must name. */
        JarProcess serve(Path workDir, int port, Map<String, String> environment) {
            return start(workDir, port, environment);
        }

        /** A command of the jar that ends by itself (migrate, version, a start that must fail): its exit is the point. */
        JarProcess run(Path workDir, Map<String, String> environment, String... args) {
            return start(workDir, 0, environment, args);
        }

        private JarProcess start(Path workDir, int port, Map<String, String> environment, String... args) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JVM_FLAGS);
            command.add("-jar");
            command.add(JAR.toString());
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
            // Only what the test wrote or passes speaks: drop the overrides the shell running Maven may carry
            // (POSTGRES_HOST, ...), and JVM option variables, which make the JVM print a line on stderr.
            pb.environment().keySet().removeIf(k -> k.equals("CONFIG_FILE") || k.equals("ATTENDANCE_WRITE_TOKEN")
                    || k.matches("(POSTGRES|REDIS|SERVER|CACHE|JSON|AUTH)_.*")
                    || k.equals("JAVA_TOOL_OPTIONS") || k.equals("_JAVA_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
            pb.environment().putAll(environment);
            try {
                Path logs = Files.createDirectories(PROJECT.resolve("target/jar-it/" + env.runId + "_" + started.incrementAndGet()));
                Path out = logs.resolve("stdout.log");
                Path err = logs.resolve("stderr.log");
                pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                JarProcess process = new JarProcess(pb.start(), port, out, err);
                processes.add(process);
                return process;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    int port() {
        return port;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    HttpResponse<String> get(String path) {
        return Http.get(url(path));
    }

    /** Polls the health route until it answers 200; fails at once, with the output, if the process exits first. */
    JarProcess awaitHealthy(Duration within) {
        Poll.until(() -> "the jar to serve on port " + port + "; " + output(), within, () -> {
            if (!process.isAlive()) {
                fail("the jar exited with " + process.exitValue() + " before it was healthy; " + output());
            }
            try {
                return get(Routes.V1 + "/health").statusCode() == 200 ? Optional.of(true) : Optional.empty();
            } catch (UncheckedIOException notListeningYet) {
                return Optional.empty();
            }
        });
        return this;
    }

    /** SIGTERM, as systemd, Docker and `kill` stop a service; awaitExit tells how it ended. */
    void terminate() {
        process.destroy();
    }

    /**
     * Sends a signal by name, as `kill -NAME pid` does: STOP and CONT stall and resume it (a long GC pause, a
     * frozen VM), KILL ends it without a chance to clean up (a crash, the OOM killer).
     */
    void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(kill.waitFor() == 0, "kill -" + name + " " + process.pid() + ": " + output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (name.equals("STOP") || name.equals("CONT")) {
            stopped = name.equals("STOP");
        }
    }

    /** The exit code; fails, with the output, if the process is still running after `within`. */
    int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("the jar was still running after " + within.toMillis() + " ms; " + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Time since the start, for "it ended quickly" and "it waited" checks. */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    List<String> stdoutLines() {
        return stdout().lines().toList();
    }

    List<String> stderrLines() {
        return stderr().lines().toList();
    }

    /** Both streams, for failure messages. */
    String output() {
        return "stdout:\n" + stdout() + "\nstderr:\n" + stderr();
    }

    /** SIGTERM, then SIGKILL if it lingers; once this returns, the output files are complete. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        if (stopped) {
            signal("CONT");
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What `./run.sh java-opts` prints for this java binary, without the class archive's flags. */
    static List<String> runShJavaOpts(String javaBin) {
        ProcessBuilder pb = new ProcessBuilder("./run.sh", "java-opts").directory(PROJECT.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("JAVA_OPTS");
        pb.environment().put("JAVA", javaBin);
        pb.environment().put("CLASS_ARCHIVE", "off");
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || out.isEmpty()) {
                throw new IllegalStateException("./run.sh java-opts failed for " + javaBin);
            }
            return List.of(out.split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
