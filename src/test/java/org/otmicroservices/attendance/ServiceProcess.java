package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shaded jar run as a real process, as an operator runs it: java -jar target/attendance-api.jar, configured by
 * a CONFIG_FILE, stdout and stderr captured to files. For what only a process shows: signals, exit codes, logs.
 */
final class ServiceProcess implements AutoCloseable {
    static final Path JAR = Path.of("target", "attendance-api.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    final int port;

    private ServiceProcess(Process process, Path stdout, Path stderr, int port) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.port = port;
    }

    /** Starts the jar with config (its server port replaced by a free one) and extra environment variables. */
    static ServiceProcess start(Config config, Map<String, String> env, String... args) {
        if (!Files.isRegularFile(JAR)) {
            fail(JAR + " is missing: run through mvn verify (the ITs run after package)");
        }
        int port = freePort();
        Path configFile = TestConfigs.yamlFile(TestConfigs.serverPort(config, port));
        try {
            Path out = Files.createTempFile("attendance-stdout-", ".log");
            Path err = Files.createTempFile("attendance-stderr-", ".log");
            out.toFile().deleteOnExit();
            err.toFile().deleteOnExit();
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx192m", "-XX:TieredStopAtLevel=1",
                    "-jar", JAR.toString()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            // Only the config file speaks, plus what the test passes: no stray overrides from the test's environment.
            pb.environment().keySet().removeIf(k -> k.matches("(POSTGRES|REDIS|SERVER|CACHE|JSON|AUTH)_.*|ATTENDANCE_WRITE_TOKEN"));
            pb.environment().put("CONFIG_FILE", configFile.toString());
            pb.environment().putAll(env);
            return new ServiceProcess(pb.start(), out, err, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls health until it answers 200; fails with the process's stderr if it exits or takes too long. */
    ServiceProcess awaitHealthy(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the service exited with " + process.exitValue() + " before it was healthy:\n" + stderr());
            }
            try {
                if (get(AttendanceApi.V1 + "/health").statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            sleep(100);
        }
        return fail("the service was not healthy within " + within + ":\n" + stderr());
    }

    HttpResponse<String> get(String path) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** SIGTERM, as systemd, Docker or Kubernetes stop a service. */
    void terminate() {
        process.destroy();
    }

    /** The exit code, or fails if the process is still running after the wait. */
    int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("the service did not exit within " + within);
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

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
