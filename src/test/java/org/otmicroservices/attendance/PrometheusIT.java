package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.config.Config;

/**
 * The monitoring files against what the service really exports. Debian's Prometheus, configured by the shipped
 * deploy/prometheus files, scrapes the jar every second while the test drives traffic (creates, a duplicate
 * create's 409, an unknown id's 404, cache misses and hits); then, after two more scrapes: every query of the
 * Grafana dashboard returns data, and every alert expression parses, evaluates without error in Prometheus's own
 * rule manager, and selects only series the jar exports. A metric or label renamed in the code fails here.
 * Dashboard queries get Grafana's variables as GrafanaDashboard.forPrometheus documents: every variable at "All",
 * $__rate_interval 4 s. The dashboard's time-series panels are then plotted from the same Prometheus data to
 * target/prometheus-it/dashboard.png.
 */
@Timeout(120)
class PrometheusIT {
    private static final String API = "/api/v1/attendance";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Long enough for several scrapes; the picture in docs/monitoring came from a run with -Dprometheus.it.traffic.seconds=90. */
    private static final Duration TRAFFIC = Duration.ofSeconds(Long.getLong("prometheus.it.traffic.seconds", 6));
    private static final Duration STEP = PrometheusProcess.SCRAPE_INTERVAL;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @RegisterExtension
    static final JarProcess.Launcher jar = new JarProcess.Launcher();

    private static final Path WORK = Path.of("target", "prometheus-it").toAbsolutePath();
    private static final GrafanaDashboard dashboard = GrafanaDashboard.load();
    private static PrometheusProcess prometheus;
    private static PrometheusApi api;
    private static String instance;
    private static Instant from;
    private static Instant to;

    @BeforeAll
    static void scrapeTheJarWhileTrafficRuns() throws Exception {
        PrometheusProcess.binary(); // fail at once, with the fix, when Prometheus is missing
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        Config config = jar.config(jar.env.createDatabase());
        TestConfigs.write(WORK, config);
        int port = config.server().port();
        JarProcess service = jar.serve(WORK, port, Map.of()).awaitHealthy(START_TIMEOUT);
        instance = "127.0.0.1:" + port;

        prometheus = new PrometheusProcess(WORK.resolve("prometheus"), Ports.free());
        prometheus.start(List.of(instance));
        api = prometheus.api();
        Poll.until(() -> "a first scrape of " + instance + "; prometheus log:\n" + prometheus.log(), START_TIMEOUT,
                () -> api.query("up{job=\"attendance-api\"} == 1").isEmpty() ? Optional.empty() : Optional.of(true));

        from = Instant.now();
        drive(service);
        Instant trafficEnd = Instant.now();
        // Scrapes start every interval; the first one after the traffic may have begun before its last request was
        // counted, so wait for a scrape that started more than one interval after it: the second at least.
        double after = (trafficEnd.toEpochMilli() + STEP.toMillis()) / 1000.0;
        Poll.until(() -> "two scrapes after the traffic", Duration.ofSeconds(15), () -> {
            JsonNode last = api.query("timestamp(up{job=\"attendance-api\"})");
            return last.size() == 1 && last.get(0).path("value").get(1).asDouble() > after ? Optional.of(true) : Optional.empty();
        });
        to = Instant.now();
    }

    /** Creates, reads and health checks at a steady pace: 200s, a 409 and a 404, cache misses and hits. */
    private static void drive(JarProcess service) {
        long end = System.nanoTime() + TRAFFIC.toNanos();
        for (int n = 0; n < 100_000 && System.nanoTime() < end; n++) {
            String id = "prom-" + n;
            String body = TestApp.record(id, "Ada", n % 2 == 0 ? "Present" : "Absent", "2023-01-0" + (1 + n % 9));
            expect(service, 200, "POST", "/create", body);
            if (n % 10 == 0) {
                expect(service, 409, "POST", "/create", body);
                expect(service, 200, "GET", "/search/all", null);
                expect(service, 200, "GET", "/health/detail", null);
            }
            expect(service, 200, "GET", "/search?id=" + id, null); // a miss, then cached
            expect(service, 200, "GET", "/search?id=" + id, null); // a hit from Redis, then kept in memory
            expect(service, 200, "GET", "/search?id=" + id, null); // a hit from memory
            expect(service, 404, "GET", "/search?id=missing-" + n, null);
            expect(service, 200, "GET", "/health", null);
            Poll.sleep(20);
        }
    }

    private static void expect(JarProcess service, int status, String method, String path, String json) {
        int got = Http.send(Http.request(method, service.url(API + path), json == null ? null : "application/json", json)).statusCode();
        assertEquals(status, got, method + " " + path);
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
        // (the Launcher stops the jar)
    }

    @Test
    void everyDashboardQueryReturnsDataFromTheRunningJar() {
        List<String> empty = new ArrayList<>();
        int queries = 0;
        for (GrafanaDashboard.Panel panel : dashboard.panels()) {
            for (GrafanaDashboard.Query query : panel.queries()) {
                queries++;
                String expr = dashboard.forPrometheus(query.expr(), STEP);
                JsonNode series = api.queryRange(expr, from, to, STEP);
                boolean hasValue = false;
                for (JsonNode s : series) {
                    for (JsonNode point : s.path("values")) {
                        hasValue |= Double.isFinite(point.get(1).asDouble());
                    }
                }
                if (!hasValue) {
                    empty.add("\"" + panel.title() + "\": " + expr + " -> " + series);
                }
            }
        }
        assertTrue(queries >= 15, "the dashboard has only " + queries + " queries");
        assertTrue(empty.isEmpty(), "dashboard queries without data:\n" + String.join("\n", empty));
    }

    @Test
    void theDashboardsInstanceVariableListsTheScrapedInstance() {
        List<GrafanaDashboard.Variable> variables = dashboard.queryVariables();
        assertFalse(variables.isEmpty(), "no query variable");
        for (GrafanaDashboard.Variable variable : variables) {
            Set<String> values = new TreeSet<>();
            api.query(variable.expr()).forEach(s -> values.add(PrometheusApi.labels(s).get(variable.label())));
            assertEquals(Set.of(instance), values, "values of $" + variable.name());
        }
    }

    @Test
    void everyAlertSelectsOnlySeriesTheJarExports() {
        List<String> missing = new ArrayList<>();
        for (PrometheusFiles.Alert alert : PrometheusFiles.alerts()) {
            api.query(alert.expr()); // parses and evaluates, or fails with Prometheus's error
            List<PromqlSelectors.Selector> selectors = PromqlSelectors.of(alert.expr());
            assertFalse(selectors.isEmpty(), alert.name() + ": no selector found in " + alert.expr());
            for (PromqlSelectors.Selector selector : selectors) {
                // An exact matcher must find its value; a regular expression or a negation only needs its label to
                // exist (no 5xx happened, yet the alert on them must select the right label).
                List<String> matchers = selector.matchers().stream()
                        .map(m -> m.op().equals("=") ? m.toString() : m.label() + "!=\"\"").toList();
                String exported = selector.metric() + "{" + String.join(", ", matchers) + "}";
                if (api.query(exported).isEmpty()) {
                    missing.add(alert.name() + ": " + exported);
                }
            }
        }
        assertTrue(missing.isEmpty(), "alert selectors that match no series of the jar:\n" + String.join("\n", missing));
    }

    @Test
    void prometheusLoadsEveryAlertAndEvaluatesItWithoutError() {
        Set<String> shipped = new TreeSet<>();
        PrometheusFiles.alerts().forEach(a -> shipped.add(a.name()));
        // A rule's health is "unknown" until the rule manager has evaluated it once.
        List<JsonNode> rules = Poll.until(() -> "every rule evaluated once", Duration.ofSeconds(15), () -> {
            List<JsonNode> all = new ArrayList<>();
            api.ruleGroups().forEach(g -> g.path("rules").forEach(all::add));
            boolean evaluated = !all.isEmpty() && all.stream().noneMatch(r -> r.path("health").asText().equals("unknown"));
            return evaluated ? Optional.of(all) : Optional.empty();
        });
        Set<String> loaded = new TreeSet<>();
        for (JsonNode rule : rules) {
            loaded.add(rule.path("name").asText());
            assertEquals("ok", rule.path("health").asText(), rule.path("name").asText() + ": " + rule.path("lastError").asText());
        }
        assertEquals(shipped, loaded);
    }

    @Test
    void theDashboardsTimeSeriesPanelsArePlottedFromTheSameData() throws IOException {
        List<DashboardPicture.Plot> plots = new ArrayList<>();
        for (GrafanaDashboard.Panel panel : dashboard.panels()) {
            if (!panel.type().equals("timeseries")) {
                continue;
            }
            List<DashboardPicture.Series> series = new ArrayList<>();
            for (GrafanaDashboard.Query query : panel.queries()) {
                for (JsonNode s : api.queryRange(dashboard.forPrometheus(query.expr(), STEP), from, to, STEP)) {
                    List<double[]> points = new ArrayList<>();
                    for (JsonNode p : s.path("values")) {
                        points.add(new double[] {p.get(0).asDouble() - from.toEpochMilli() / 1000.0, p.get(1).asDouble()});
                    }
                    series.add(new DashboardPicture.Series(GrafanaDashboard.legend(query.legendFormat(), PrometheusApi.labels(s)), points));
                }
            }
            plots.add(new DashboardPicture.Plot(panel.title(), panel.unit(), series));
        }
        assertTrue(plots.size() >= 6, "only " + plots.size() + " time-series panels");
        Path png = DashboardPicture.render(WORK, "dashboard",
                "Attendance API dashboard (deploy/grafana/attendance-api.json): one jar under test traffic, from Prometheus", plots);
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length), png + " is not a PNG");
        assertTrue(bytes.length > 20_000, png + " is only " + bytes.length + " bytes");
        System.out.println("PrometheusIT: dashboard picture at " + png);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
