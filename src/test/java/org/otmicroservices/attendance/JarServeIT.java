package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.config.Config;

/** The shaded jar serving, as an operator runs it: found config, every route (scripts/smoke.sh), logs, stop. */
@Timeout(120)
class JarServeIT {
    private static final Duration START = Duration.ofSeconds(60);

    @RegisterExtension
    static final JarProcess.Launcher jar = new JarProcess.Launcher();

    @Test
    void servesEveryRouteWithConfigYamlInTheWorkingDirectoryAndLogsOnlyJsonOnStdout(@TempDir Path dir) {
        String database = jar.env.createDatabase();
        Config config = jar.config(database);
        TestConfigs.write(dir, config);
        int port = config.server().port();

        try (JarProcess process = jar.serve(dir, port, Map.of())) {
            process.awaitHealthy(START);
            assertSmokePasses(process, database, "redis up");
            process.close();

            List<String> stdout = process.stdoutLines();
            // The smoke test's requests plus the readiness polls, each one JSON object on its own line.
            assertTrue(stdout.size() >= 9, process.output());
            for (String line : stdout) {
                JsonNode entry = TestJson.parse(line);
                assertTrue(entry.isObject() && entry.has("request") && entry.get("status_code").isTextual(),
                        "not an access-log line on stdout: " + line);
            }
            assertTrue(stdout.stream().anyMatch(l -> TestJson.parse(l).get("request").asText()
                    .matches("POST /api/v1/attendance/create HTTP/1\\.1")), process.output());
            // Diagnostics (Liquibase, Javalin) went to stderr instead.
            List<String> stderr = process.stderrLines();
            assertTrue(stderr.stream().anyMatch(l -> l.contains("Listening on http://127.0.0.1:" + port)), process.output());
            assertTrue(stderr.stream().anyMatch(l -> l.contains("Running Changeset: migration/db.changelog-master.xml::1::Abhishek Dubey")),
                    process.output());
        }
    }

    @Test
    void servesEveryRouteWithConfigFileNamingAFileInAnotherDirectory(@TempDir Path configDir, @TempDir Path workDir)
            throws IOException {
        String database = jar.env.createDatabase();
        Config config = jar.config(database);
        Path file = TestConfigs.write(configDir, config);
        // A config.yaml in the working directory that would not even start: CONFIG_FILE must win over it.
        Files.writeString(workDir.resolve("config.yaml"), "postgres: not-a-mapping\n");

        try (JarProcess process = jar.serve(workDir, config.server().port(), Map.of("CONFIG_FILE", file.toString()))) {
            process.awaitHealthy(START);
            assertSmokePasses(process, database, "redis up");
        }
    }

    @Test
    void sigtermStopsTheProcessWithin10Seconds(@TempDir Path dir) {
        Config config = jar.config(jar.env.createDatabase());
        TestConfigs.write(dir, config);

        try (JarProcess process = jar.serve(dir, config.server().port(), Map.of())) {
            process.awaitHealthy(START);
            process.terminate();
            // 143 = 128 + SIGTERM: how a JVM that ran its shutdown hooks after SIGTERM exits.
            assertEquals(143, process.awaitExit(Duration.ofSeconds(10)), process.output());
            assertFalse(process.isAlive());
            assertTrue(process.stderrLines().stream().anyMatch(l -> l.contains("Javalin has stopped")), process.output());
            assertThrows(UncheckedIOException.class, () -> process.get("/api/v1/attendance/health"), "the port still answers");
        }
    }

    @Test
    void redisUnreachableNeverStopsStartUp(@TempDir Path dir) {
        String database = jar.env.createDatabase();
        Config config = TestConfigs.with(jar.config(database), "redis.port", Ports.free());
        TestConfigs.write(dir, config);

        try (JarProcess process = jar.serve(dir, config.server().port(), Map.of())) {
            process.awaitHealthy(START);
            HttpResponse<String> health = process.get("/api/v1/attendance/health");
            assertEquals(200, health.statusCode());
            HttpResponse<String> detail = process.get("/api/v1/attendance/health/detail");
            assertEquals(200, detail.statusCode());
            assertEquals("{\"message\":\"Attendance API is running fine and ready to serve requests\","
                    + "\"postgresql\":\"up\",\"redis\":\"down\",\"status\":\"up\"}", detail.body().strip());
            // Every other route is served from PostgreSQL alone.
            assertSmokePasses(process, database, "redis down");
        }
    }

    private static final List<Pattern> SMOKE_LINES = List.of(
            Pattern.compile("ok   GET /api/v1/attendance/health 200"),
            Pattern.compile("ok   GET /api/v1/attendance/health/detail 200 \\(postgresql up, (redis (up|down))\\)"),
            Pattern.compile("ok   POST /api/v1/attendance/create 200 \\(id (smoke-[\\w-]+)\\)"),
            Pattern.compile("ok   GET /api/v1/attendance/search\\?id=smoke-[\\w-]+ 200 \\(the record just created\\)"),
            Pattern.compile("ok   GET /api/v1/attendance/search/all 200 \\(lists smoke-[\\w-]+\\)"),
            Pattern.compile("ok   GET /api/v1/attendance/search\\?name=smoke\\+test&date=2023-01-01 200 \\(filtered search finds smoke-[\\w-]+\\)"),
            Pattern.compile("ok   GET /api/v1/attendance/summary 200 \\(2023-01-01 counted\\)"),
            Pattern.compile("ok   GET /api/v1/attendance/export\\.csv 200 \\(CSV lists smoke-[\\w-]+\\)"),
            Pattern.compile("ok   PUT /api/v1/attendance/smoke-[\\w-]+ 200 \\(read back as Absent\\)"),
            Pattern.compile("ok   DELETE /api/v1/attendance/smoke-[\\w-]+ 200 \\(then search answers 404\\)"),
            Pattern.compile("ok   GET /metrics 200 \\(flask_http_request_total present\\)"),
            Pattern.compile("ok   GET /apidocs 308 -> /apidocs/"),
            Pattern.compile("ok   GET /apidocs/ 200 \\(Swagger UI\\)"),
            Pattern.compile("ok   GET /apispec_1\\.json 200 \\(documents every route\\)"),
            Pattern.compile("smoke test passed against http://127\\.0\\.0\\.1:\\d+"));

    private static void assertSmokePasses(JarProcess process, String database, String redisState) {
        SmokeScript.Result smoke = SmokeScript.run(process.url(""));
        String output = smoke.output();
        assertEquals(0, smoke.exitCode(), output);
        assertEquals(SMOKE_LINES.size(), smoke.lines().size(), output);
        for (int i = 0; i < SMOKE_LINES.size(); i++) {
            if (!SMOKE_LINES.get(i).matcher(smoke.lines().get(i)).matches()) {
                fail("smoke line " + (i + 1) + " is not " + SMOKE_LINES.get(i) + ":\n" + output);
            }
        }
        assertTrue(smoke.lines().get(1).contains(redisState), output);
        // The service reads the database that this config named: a row written there directly is served.
        // (smoke.sh deletes its own record at the end, so there is nothing of its own left to look for.)
        try (Connection c = jar.env.connect(database); PreparedStatement s = c.prepareStatement(
                "INSERT INTO records VALUES ('jar-it-sentinel', 'Sentinel', 'Present', '2023-01-02') ON CONFLICT DO NOTHING")) {
            s.executeUpdate();
            assertEquals(0, countSmokeRecords(c), "smoke.sh left its record behind");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        String sentinel = process.get("/api/v1/attendance/search?id=jar-it-sentinel").body();
        assertTrue(sentinel.contains("\"name\":\"Sentinel\""), sentinel);
    }

    private static int countSmokeRecords(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM records WHERE id LIKE 'smoke-%'");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
