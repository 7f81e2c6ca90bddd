package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.http.Routes;

/**
 * Two instances started at the same moment on an empty database, as a deployment of two replicas does: both become
 * healthy, the changeSet is applied once, and no Liquibase lock is left held. Real processes, because two services
 * in one JVM would share Liquibase's static state.
 */
class ConcurrentStartIT {
    @RegisterExtension
    static final JarProcess.Launcher jar = new JarProcess.Launcher();

    @Test
    void twoInstancesStartedTogetherOnAnEmptyDatabaseBothBecomeHealthyAndMigrateOnce(@TempDir Path dir) {
        String database = jar.env.createDatabase();
        // One config file, a port each, as two systemd instances of the unit (Environment=SERVER_PORT=%i).
        Config config = jar.config(database);
        TestConfigs.write(dir, config);
        int secondPort = Ports.free();
        try (JarProcess first = jar.serve(dir, config.server().port(), Map.of());
             JarProcess second = jar.serve(dir, secondPort, Map.of("SERVER_PORT", String.valueOf(secondPort)))) {
            first.awaitHealthy(Duration.ofSeconds(90));
            second.awaitHealthy(Duration.ofSeconds(90));

            // Each changeSet once: Flask's changeSet 1 and the service's own (2).
            assertEquals(2, count(database, "SELECT count(*) FROM databasechangelog"));
            assertEquals(2, count(database, "SELECT count(DISTINCT id) FROM databasechangelog"));
            assertEquals(1, count(database, "SELECT count(*) FROM databasechangelog WHERE id = '1' AND author = 'Abhishek Dubey'"
                    + " AND filename = 'migration/db.changelog-master.xml'"));
            assertEquals(0, count(database, "SELECT count(*) FROM databasechangeloglock WHERE locked"));
            assertEquals(1, count(database, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'records'"));

            // Both serve the same table.
            assertEquals(200, Http.send(Http.request("POST", first.url(Routes.V1 + "/create"), "application/json",
                    TestApp.record("1", "Both", "Present", "2023-01-01"))).statusCode());
            assertEquals(200, second.get(Routes.V1 + "/search?id=1").statusCode());
            assertFalse(first.stderr().contains("ERROR"), first.stderr());
            assertFalse(second.stderr().contains("ERROR"), second.stderr());
        }
    }

    private static long count(String database, String sql) {
        return jar.env.count(database, sql);
    }
}
