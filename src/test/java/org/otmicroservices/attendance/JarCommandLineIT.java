package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.config.Config;

/** The jar's exits: bad config, PostgreSQL away, migrate, version, usage. One clear line, the right code. */
@Timeout(120)
class JarCommandLineIT {
    /** Generous for a JVM start on a loaded machine; the point is "not the 30 s PostgreSQL wait". */
    private static final Duration QUICKLY = Duration.ofSeconds(15);

    @RegisterExtension
    static final JarProcess.Launcher jar = new JarProcess.Launcher();

    // Distinctive, so that finding it in any output line is certain to be a leak.
    private final String password = "pw-" + UUID.randomUUID();

    @Test
    void missingConfigFileExitsWithOneLineNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere/config.yaml");
        JarProcess process = jar.run(dir, Map.of("CONFIG_FILE", missing.toString()));

        assertNotEquals(0, process.awaitExit(QUICKLY), process.output());
        assertOneStderrLine(process, "attendance-api: cannot read config file " + missing + ": no such file");
    }

    @Test
    void missingRequiredKeyExitsWithOneLineNamingIt(@TempDir Path dir) {
        Map<String, Object> config = configWithSecret();
        TestConfigs.section(config, "postgres").remove("host");
        TestConfigs.write(dir, config);
        JarProcess process = jar.run(dir, Map.of());

        assertNotEquals(0, process.awaitExit(QUICKLY), process.output());
        assertOneStderrLine(process, "attendance-api: config.yaml: required key postgres.host is missing");
    }

    @Test
    void wrongTypeExitsWithOneLineNamingTheKey(@TempDir Path dir) {
        Map<String, Object> config = configWithSecret();
        TestConfigs.section(config, "postgres").put("port", "abc");
        TestConfigs.write(dir, config);
        JarProcess process = jar.run(dir, Map.of());

        assertNotEquals(0, process.awaitExit(QUICKLY), process.output());
        assertOneStderrLine(process, "attendance-api: config.yaml: postgres.port must be a whole number");
    }

    @Test
    void unreachablePostgresLogsEachRetryThenExitsWithOneClearLine(@TempDir Path dir) {
        Map<String, Object> config = configWithSecret();
        int closedPort = Ports.free();
        TestConfigs.section(config, "postgres").put("host", "127.0.0.1");
        TestConfigs.section(config, "postgres").put("port", closedPort);
        TestConfigs.section(config, "postgres").put("startup_wait_seconds", 3);
        TestConfigs.write(dir, config);
        JarProcess process = jar.run(dir, Map.of());

        assertNotEquals(0, process.awaitExit(QUICKLY), process.output());
        assertTrue(process.elapsed().toMillis() >= 3000, "gave up before the 3 s wait was over: " + process.elapsed());
        List<String> stderr = process.stderrLines();
        assertTrue(stderr.size() >= 3, "expected a line per retry, then the final line:\n" + process.output());
        String where = "PostgreSQL at 127.0.0.1:" + closedPort;
        for (String retry : stderr.subList(0, stderr.size() - 1)) {
            assertTrue(retry.matches(".* WARN .*" + where + " is not reachable yet \\(attempt \\d+, \\d+ s left\\): .*"),
                    "not a retry line: " + retry + "\n" + process.output());
        }
        assertTrue(stderr.get(stderr.size() - 1).startsWith("attendance-api: " + where + " did not answer within 3 s"),
                process.output());
        assertNoSecret(process);
    }

    @Test
    void portInUseExitsWithOneClearLineInsteadOfAStackTrace(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Config config = TestConfigs.with(jar.config(jar.env.createDatabase()), "server.port", taken.getLocalPort());
            TestConfigs.write(dir, config);
            JarProcess process = jar.run(dir, Map.of());

            assertNotEquals(0, process.awaitExit(Duration.ofSeconds(60)), process.output());
            List<String> stderr = process.stderrLines();
            assertEquals("attendance-api: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use (set server.port or SERVER_PORT)", stderr.get(stderr.size() - 1), process.output());
            assertTrue(stderr.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")), process.output());
        }
    }

    @Test
    void migrateCreatesTheSchemaOnAnEmptyDatabaseAndARerunChangesNothing(@TempDir Path dir) {
        String database = jar.env.createDatabase();
        TestConfigs.write(dir, jar.config(database));
        // changeSet 1 (Flask's), then the service's own.
        List<String> changelog = List.of("1|Abhishek Dubey|migration/db.changelog-master.xml",
                "2|attendance-api|migration/db.changelog-master.xml");

        JarProcess first = jar.run(dir, Map.of(), "migrate");
        assertEquals(0, first.awaitExit(Duration.ofSeconds(60)), first.output());
        assertEquals(List.of(), first.stdoutLines(), "stdout is for the access log only");
        List<String> stderr = first.stderrLines();
        assertEquals("attendance-api: database " + database + " is up to date", stderr.get(stderr.size() - 1), first.output());
        assertEquals(changelog, query(database, "SELECT id || '|' || author || '|' || filename FROM databasechangelog ORDER BY orderexecuted"));
        assertEquals(List.of("id|text", "name|text", "status|text", "date|date"), query(database,
                "SELECT column_name || '|' || data_type FROM information_schema.columns"
                        + " WHERE table_name = 'records' ORDER BY ordinal_position"));

        JarProcess second = jar.run(dir, Map.of(), "migrate");
        assertEquals(0, second.awaitExit(Duration.ofSeconds(60)), second.output());
        assertEquals(changelog, query(database, "SELECT id || '|' || author || '|' || filename FROM databasechangelog ORDER BY orderexecuted"));
    }

    @Test
    void versionPrintsTheProjectVersion(@TempDir Path dir) {
        JarProcess process = jar.run(dir, Map.of(), "version");

        assertEquals(0, process.awaitExit(QUICKLY), process.output());
        assertEquals(List.of("attendance-api " + System.getProperty("attendance.version", "1.0.0")), process.stdoutLines());
    }

    @Test
    void unknownArgumentExitsWith2AndAUsageLine(@TempDir Path dir) {
        JarProcess process = jar.run(dir, Map.of(), "serv");

        assertEquals(2, process.awaitExit(QUICKLY), process.output());
        assertEquals(List.of(), process.stdoutLines());
        assertEquals(List.of("usage: java -jar attendance-api.jar [serve|migrate|release-locks|check-config|version|--help]"),
                process.stderrLines());
    }

    /** A full config whose PostgreSQL password is the distinctive one; it is never reached in these tests. */
    private Map<String, Object> configWithSecret() {
        return TestConfigs.tree(TestConfigs.with(jar.config("attendance_never_created"), "postgres.password", password));
    }

    private void assertOneStderrLine(JarProcess process, String prefix) {
        List<String> stderr = process.stderrLines();
        assertEquals(1, stderr.size(), "exactly one line on stderr:\n" + process.output());
        assertTrue(stderr.get(0).startsWith(prefix), "expected a line starting " + prefix + "\n" + process.output());
        assertEquals(List.of(), process.stdoutLines());
        assertNoSecret(process);
    }

    private void assertNoSecret(JarProcess process) {
        assertFalse(process.output().contains(password), "the password leaked:\n" + process.output());
    }

    private static List<String> query(String database, String sql) {
        return jar.env.column(database, sql);
    }
}
