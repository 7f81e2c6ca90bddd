package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One `java -jar attendance-api.jar` process. Its stdout and stderr go to files (a full pipe would block the
 * service), read after it ends. Closing it stops it: SIGTERM, then SIGKILL if it lingers.
 */
final class JarProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final Process process;
    final Path stdout;
    final Path stderr;
    private final long startNanos = System.nanoTime();

    JarProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Polls the health route until it answers 200; fails at once if the process dies first. */
    void awaitServing(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the jar exited with " + process.exitValue() + " before serving; stderr:\n" + text(stderr));
            }
            try {
                if (get(port, "/api/v1/attendance/health").statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException notYetListening) {
                // keep polling
            }
            sleep(100);
        }
        fail("the jar did not serve on port " + port + " within " + timeout.toSeconds() + " s; stderr:\n" + text(stderr));
    }

    /** The exit code, failing if the process is still running after the timeout. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("the jar was still running after " + timeout.toSeconds() + " s; stderr:\n" + text(stderr));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** Time since start, for "it ended quickly" checks. */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    List<String> stdoutLines() {
        return text(stdout).lines().toList();
    }

    List<String> stderrLines() {
        return text(stderr).lines().toList();
    }

    String output() {
        return "stdout:\n" + text(stdout) + "\nstderr:\n" + text(stderr);
    }

    static HttpResponse<String> get(int port, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** SIGTERM, then SIGKILL if it lingers; once this returns, the output files are complete. */
    void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
