package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.otmicroservices.attendance.config.Config;

/**
 * The shipped deployment files agree with the service, with run.sh and with each other (BehindNginxIT runs the
 * nginx one, AlertRulesTest checks the Prometheus ones with promtool, PrometheusIT all of them against the jar).
 */
class DeployFilesTest {
    private static final Path UNIT = Path.of("docs/systemd/attendance-api.service");

    @Test
    void systemdUnitStartsTheJarWithRunShJvmFlags() throws IOException {
        String unit = Files.readString(UNIT);
        Matcher exec = Pattern.compile("(?m)^ExecStart=(.*)$").matcher(unit);
        assertTrue(exec.find(), "no ExecStart");
        List<String> command = List.of(exec.group(1).strip().split("\\s+"));
        assertEquals("/usr/bin/java", command.get(0));
        List<String> flags = JarProcess.runShJavaOpts("/usr/bin/java");
        assertEquals(flags, command.subList(1, 1 + flags.size()), "ExecStart must use run.sh's flags for its java");
        assertEquals(List.of("-jar", "/opt/attendance-api/attendance-api.jar", "serve"),
                command.subList(1 + flags.size(), command.size()));
    }

    @Test
    void systemdUnitStopsGracefullyAndRestartsOnFailure() throws IOException {
        List<String> lines = Files.readAllLines(UNIT);
        for (String directive : List.of("Restart=on-failure", "KillSignal=SIGTERM", "TimeoutStopSec=15",
                "SuccessExitStatus=143", "WorkingDirectory=/opt/attendance-api",
                "Environment=CONFIG_FILE=/etc/attendance-api/config.yaml", "Environment=SERVER_PORT=%i")) {
            assertTrue(lines.contains(directive), UNIT + " lacks " + directive);
        }
    }

    @Test
    void nginxBodyLimitMatchesTheServiceDefault() throws IOException {
        String site = Files.readString(NginxProcess.SHIPPED_CONFIG);
        Matcher server = Pattern.compile("(?m)^    client_max_body_size (\\d+)m;$").matcher(site);
        assertTrue(server.find(), "no server-level client_max_body_size");
        long serviceDefault = Config.from(Map.of(
                "postgres", Map.of("host", "h", "port", 5432, "database", "d", "user", "u", "password", "p"),
                "redis", Map.of("host", "h", "port", 6379)), Map.of(), "test").server().maxBodyBytes();
        assertEquals(serviceDefault, Long.parseLong(server.group(1)) * 1024 * 1024);
    }

    @Test
    void nginxLimitsWritesMoreStrictlyThanReads() throws IOException {
        NginxProcess.RateLimit reads = NginxProcess.rateLimit("attendance_reads");
        NginxProcess.RateLimit writes = NginxProcess.rateLimit("attendance_writes");
        assertTrue(writes.perSecond() < reads.perSecond() && writes.burst() < reads.burst(), "writes " + writes + ", reads " + reads);
    }

    @Test
    void prometheusScrapesEveryInstanceOfTheNginxUpstreamDirectly() throws IOException {
        Set<String> upstream = new TreeSet<>();
        Matcher server = Pattern.compile("(?m)^\\s*server (127\\.0\\.0\\.1:\\d+) ").matcher(Files.readString(NginxProcess.SHIPPED_CONFIG));
        while (server.find()) {
            upstream.add(server.group(1));
        }
        Set<String> scraped = new TreeSet<>();
        for (Map<String, Object> job : PrometheusFiles.list(PrometheusFiles.load(PrometheusFiles.SCRAPE_CONFIG), "scrape_configs")) {
            if ("attendance-api".equals(job.get("job_name"))) {
                for (Map<String, Object> targets : PrometheusFiles.list(job, "static_configs")) {
                    for (Object target : (List<?>) targets.get("targets")) {
                        scraped.add((String) target);
                    }
                }
            }
        }
        assertEquals(2, upstream.size(), "nginx upstream servers");
        assertEquals(upstream, scraped, "targets of the attendance-api job in " + PrometheusFiles.SCRAPE_CONFIG);
    }

    @Test
    void grafanaDashboardPanelsHaveUniqueIdsAPlaceAndTheDataSourceVariable() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : GrafanaDashboard.load().json().path("panels")) {
            String title = panel.path("title").asText();
            assertTrue(ids.add(panel.path("id").asInt()), "panel id used twice: " + title);
            for (String key : List.of("x", "y", "w", "h")) {
                assertTrue(panel.path("gridPos").path(key).isInt(), title + ": no gridPos." + key);
            }
            assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), title);
            assertTrue(panel.path("targets").size() > 0, title + ": no query");
            for (JsonNode target : panel.path("targets")) {
                assertEquals("${datasource}", target.path("datasource").path("uid").asText(), title);
            }
        }
    }

    @Test
    void grafanaDashboardQueriesFollowTheInstanceVariableAndNeedNoVariableThePrometheusTestCannotFillIn() {
        GrafanaDashboard dashboard = GrafanaDashboard.load();
        for (GrafanaDashboard.Panel panel : dashboard.panels()) {
            for (GrafanaDashboard.Query query : panel.queries()) {
                assertTrue(query.expr().contains("instance=~\"$instance\""), panel.title() + ": not filtered by $instance: " + query.expr());
                dashboard.forPrometheus(query.expr(), Duration.ofSeconds(1)); // throws on any other variable
            }
        }
    }
}
