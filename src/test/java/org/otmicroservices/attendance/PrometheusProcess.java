package org.otmicroservices.attendance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Debian's prometheus server in the foreground, listening on a free loopback port, with its config and its
 * database in a private directory under target/. The config is the shipped deploy/prometheus/prometheus.yml with
 * the targets of its attendance-api job replaced and both intervals set to SCRAPE_INTERVAL, so a test waits
 * seconds rather than minutes; its rule files are the shipped ones. Closing it stops it.
 */
final class PrometheusProcess implements AutoCloseable {
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final int port;
    private Process process;

    PrometheusProcess(Path dir, int port) {
        this.dir = dir.toAbsolutePath();
        this.port = port;
    }

    static Path binary() {
        return DebianTool.path("prometheus", "prometheus");
    }

    /** Starts it scraping the given host:port targets as job attendance-api; returns once it is ready. */
    void start(List<String> targets) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, config(targets), StandardCharsets.UTF_8);
        process = new ProcessBuilder(binary().toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!api().ready()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("prometheus did not start:\n" + log());
            }
            Poll.sleep(100);
        }
    }

    @SuppressWarnings("unchecked")
    private static String config(List<String> targets) {
        Map<String, Object> config = PrometheusFiles.load(PrometheusFiles.SCRAPE_CONFIG);
        Map<String, Object> global = (Map<String, Object>) config.get("global");
        String interval = SCRAPE_INTERVAL.toSeconds() + "s";
        global.put("scrape_interval", interval);
        global.put("evaluation_interval", interval);
        List<String> rules = new ArrayList<>();
        for (Object file : (List<?>) config.get("rule_files")) {
            rules.add(PrometheusFiles.DIR.resolve((String) file).toAbsolutePath().toString());
        }
        config.put("rule_files", rules);
        Map<String, Object> job = PrometheusFiles.list(config, "scrape_configs").stream()
                .filter(j -> "attendance-api".equals(j.get("job_name"))).findFirst()
                .orElseThrow(() -> new IllegalStateException(PrometheusFiles.SCRAPE_CONFIG + " has no attendance-api job"));
        job.put("static_configs", List.of(Map.of("targets", targets)));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(config);
    }

    PrometheusApi api() {
        return new PrometheusApi(port);
    }

    /** Its log, for failure messages. */
    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                process.destroy(); // SIGTERM: Prometheus shuts down cleanly
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
