package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.otmicroservices.attendance.config.Config;

/** The sweep of databases that killed test runs left behind: only runs whose lock is free are dropped. */
class TestEnvTest {
    private final Config.Postgres pg = Config.load(Path.of("config.yaml"), System.getenv()).postgres();

    @Test
    void theDatabasesOfAnEndedRunAreDroppedThoseOfARunStillGoingAreKept() throws SQLException {
        String ended = run();
        String going = run();
        try (Connection alive = connect(); Connection sweeper = connect()) {
            for (String db : List.of(ended + "_1", ended + "_2", going + "_1")) {
                execute(sweeper, "CREATE DATABASE " + db);
            }
            try {
                execute(alive, "SELECT pg_advisory_lock(hashtext('attendance_test'), hashtext('" + going + "'))");

                List<String> dropped = TestEnv.dropEndedRuns(sweeper, "attendance_test_00000000");

                assertTrue(dropped.containsAll(List.of(ended + "_1", ended + "_2")), dropped.toString());
                assertFalse(dropped.contains(going + "_1"), dropped.toString());
                assertEquals(List.of(going + "_1"), databasesOf(sweeper, ended, going));
            } finally {
                for (String db : List.of(ended + "_1", ended + "_2", going + "_1")) {
                    execute(sweeper, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
                }
            }
        }
    }

    private static String run() {
        return "attendance_test_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + pg.where() + "/postgres", pg.user(), pg.password());
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> databasesOf(Connection c, String... runs) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT datname FROM pg_database WHERE datname LIKE '" + runs[0] + "\\_%' OR datname LIKE '" + runs[1]
                        + "\\_%' ORDER BY datname")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }
}
