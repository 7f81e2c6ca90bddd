package org.otmicroservices.attendance;

import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One process of target/attendance-api.jar, started with run.sh's JVM flags, for the end-to-end tests. Each start
 * writes its stdout (the access log) and stderr to fresh files under logDir, named by instance and generation.
 */
final class JarInstance implements AutoCloseable {
    static final Path JAR = Path.of("target/attendance-api.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Map<String, String> env;
    private final Path logDir;
    private Process process;
    private int generation;

    JarInstance(String name, int port, Map<String, String> env, Path logDir) {
        this.name = name;
        this.port = port;
        this.env = env;
        this.logDir = logDir;
    }

    /** The JVM flags of a production run, read from run.sh so the two cannot drift apart. */
    static List<String> runShJavaOpts() throws IOException {
        Matcher m = Pattern.compile("JAVA_OPTS=\"\\$\\{JAVA_OPTS:-([^}]*)}\"").matcher(Files.readString(Path.of("run.sh")));
        if (!m.find()) {
            throw new IllegalStateException("run.sh no longer sets JAVA_OPTS=\"${JAVA_OPTS:-...}\"");
        }
        return List.of(m.group(1).strip().split("\\s+"));
    }

    void start() throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: end-to-end tests run in `mvn verify`, after package");
        }
        generation++;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(runShJavaOpts());
        command.add("-jar");
        command.add(JAR.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout().toFile())
                .redirectError(stderr().toFile());
        builder.environment().putAll(env);
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        process = builder.start();
    }

    /** Polls the health route on the instance's own port until it answers 200. */
    void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail(stderr()));
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + port + "/api/v1/attendance/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " not healthy after " + timeout.toSeconds() + " s:\n" + tail(stderr()));
    }

    /** Sends SIGTERM, as systemd and `kill` do, and returns the exit code; fails if it takes longer than timeout. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(name + " did not exit within " + timeout.toSeconds() + " s of SIGTERM");
        }
        return process.exitValue();
    }

    int port() {
        return port;
    }

    String name() {
        return name;
    }

    Path stdout() {
        return logDir.resolve(name + "-" + generation + ".out");
    }

    Path stderr() {
        return logDir.resolve(name + "-" + generation + ".err");
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no " + file + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
