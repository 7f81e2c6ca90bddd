package org.otmicroservices.attendance;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's nginx, run in the foreground from a private prefix with the shipped docs/nginx/attendance-api.conf,
 * its fixed ports (8081, 8082, 80) replaced by free loopback ones. Nothing outside the prefix is read or written.
 */
final class NginxProcess implements AutoCloseable {
    static final Path SHIPPED_CONFIG = Path.of("docs/nginx/attendance-api.conf");

    private final Path prefix;
    private final int port;
    private Process process;

    NginxProcess(Path prefix, int port) {
        this.prefix = prefix.toAbsolutePath();
        this.port = port;
    }

    static Path binary() {
        return DebianTool.path("nginx", "nginx");
    }

    /** A limit_req zone of the shipped config: its rate, and the burst that the server block allows over it. */
    record RateLimit(int perSecond, int burst) {}

    /** The shipped limit of the zone; fails if the zone or its limit_req is missing, so tests follow any tuning. */
    static RateLimit rateLimit(String zone) throws IOException {
        String site = Files.readString(SHIPPED_CONFIG);
        Matcher rate = Pattern.compile("(?m)^limit_req_zone \\S+ zone=" + zone + ":\\w+ rate=(\\d+)r/s;$").matcher(site);
        Matcher burst = Pattern.compile("(?m)^    limit_req zone=" + zone + " burst=(\\d+) nodelay;$").matcher(site);
        if (!rate.find() || !burst.find()) {
            throw new IllegalStateException(SHIPPED_CONFIG + " has no limit_req_zone with a per-second rate and a server-level limit_req for " + zone);
        }
        return new RateLimit(Integer.parseInt(rate.group(1)), Integer.parseInt(burst.group(1)));
    }

    /** The shipped config with its ports replaced; fails if one of them is not there, so the two cannot drift. */
    static String siteConfig(int listenPort, int upstream1, int upstream2) throws IOException {
        String site = Files.readString(SHIPPED_CONFIG);
        site = replaceOnce(site, "server 127.0.0.1:8081", "server 127.0.0.1:" + upstream1);
        site = replaceOnce(site, "server 127.0.0.1:8082", "server 127.0.0.1:" + upstream2);
        return replaceOnce(site, "listen 80", "listen 127.0.0.1:" + listenPort);
    }

    /** Replaces the directive start "from" (followed by a space or ';'), which must occur exactly once. */
    private static String replaceOnce(String text, String from, String to) {
        Matcher m = Pattern.compile("(?m)^(\\s*)" + Pattern.quote(from) + "(?=[ ;])").matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(SHIPPED_CONFIG + " must contain \"" + from + "\"");
        }
        String replaced = text.substring(0, m.start()) + m.group(1) + to + text.substring(m.end());
        if (m.find()) {
            throw new IllegalStateException(SHIPPED_CONFIG + " must contain \"" + from + "\" only once");
        }
        return replaced;
    }

    void start(int upstream1, int upstream2) throws IOException, InterruptedException {
        Files.createDirectories(prefix);
        // nginx's workers run as nobody when started as root: they must reach the temp directories.
        Files.setPosixFilePermissions(prefix, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path site = prefix.resolve("attendance-api.conf");
        Files.writeString(site, siteConfig(port, upstream1, upstream2));
        Path main = prefix.resolve("nginx.conf");
        Files.writeString(main, String.join("\n",
                "daemon off;",
                "worker_processes 1;",
                "pid " + prefix.resolve("nginx.pid") + ";",
                "error_log " + prefix.resolve("error.log") + " notice;",
                "events { worker_connections 1024; }",
                "http {",
                "    access_log " + prefix.resolve("access.log") + ";",
                "    client_body_temp_path " + prefix.resolve("client_body") + ";",
                "    proxy_temp_path " + prefix.resolve("proxy") + ";",
                "    fastcgi_temp_path " + prefix.resolve("fastcgi") + ";",
                "    uwsgi_temp_path " + prefix.resolve("uwsgi") + ";",
                "    scgi_temp_path " + prefix.resolve("scgi") + ";",
                "    include " + site + ";",
                "}", ""), StandardCharsets.UTF_8);
        List<String> base = List.of(binary().toString(), "-p", prefix.toString(), "-c", main.toString(),
                "-e", prefix.resolve("error.log").toString());
        Process check = new ProcessBuilder(concat(base, "-t")).redirectErrorStream(true).start();
        String checkOutput = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (check.waitFor() != 0) {
            throw new IllegalStateException("nginx -t rejected the config:\n" + checkOutput);
        }
        process = new ProcessBuilder(base).redirectErrorStream(true)
                .redirectOutput(prefix.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("nginx did not start:\n" + errorLogTail());
            }
            Thread.sleep(50);
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> concat(List<String> list, String extra) {
        List<String> all = new java.util.ArrayList<>(list);
        all.add(extra);
        return all;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    int port() {
        return port;
    }

    /** The last lines of nginx's error log, for failure messages. */
    String errorLogTail() {
        try {
            List<String> lines = Files.readAllLines(prefix.resolve("error.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no error log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                process.destroy(); // SIGTERM: nginx's fast shutdown
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
