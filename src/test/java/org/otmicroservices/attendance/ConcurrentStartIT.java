package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two instances started at the same moment on an empty database, as a deployment of two replicas does: both become
 * healthy, the changeSet is applied once, and no Liquibase lock is left held. Real processes, because two services
 * in one JVM would share Liquibase's static state.
 */
class ConcurrentStartIT {
    static TestEnv env;

    @RegisterExtension
    static final BeforeAllCallback testEnv = context -> env = TestEnv.get(context);

    @Test
    void twoInstancesStartedTogetherOnAnEmptyDatabaseBothBecomeHealthyAndMigrateOnce() throws Exception {
        String database = env.createDatabase();
        Config config = env.config(database, env.newKeyPrefix());
        try (ServiceProcess first = ServiceProcess.start(config, Map.of());
             ServiceProcess second = ServiceProcess.start(config, Map.of())) {
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
            assertEquals(200, first.send(HttpRequest.newBuilder(first.uri(AttendanceApi.V1 + "/create"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"id\":\"1\",\"name\":\"Both\",\"status\":\"Present\",\"date\":\"2023-01-01\"}"))).statusCode());
            assertEquals(200, second.get(AttendanceApi.V1 + "/search?id=1").statusCode());
            assertFalse(first.stderr().contains("ERROR"), first.stderr());
            assertFalse(second.stderr().contains("ERROR"), second.stderr());
        }
    }

    private static int count(String database, String sql) throws SQLException {
        try (Connection c = env.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
