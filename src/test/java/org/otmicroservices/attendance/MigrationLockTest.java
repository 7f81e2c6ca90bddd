package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.db.Migrations;
import org.otmicroservices.attendance.http.Routes;

/**
 * A Liquibase lock left by an instance killed mid-migration: start-up gives up after the configured wait with one
 * line naming the release-locks command, which frees it. (Liquibase alone would wait 5 minutes, then fail without
 * saying what to do.)
 */
class MigrationLockTest {
    private static final int LOCK_WAIT_SECONDS = 2;

    @RegisterExtension
    static final TestApp app = new TestApp(c -> TestConfigs.with(c, "postgres.migration_lock_wait_seconds", LOCK_WAIT_SECONDS));

    /**
     * A release with a changeSet the database lacks, which is when start-up runs Liquibase at all (an up-to-date
     * database starts without it: MigrationsTest): changeSet 2 undone.
     */
    private static void makeAChangeSetPending() {
        app.sql("DROP INDEX IF EXISTS records_date_status_idx; DROP INDEX IF EXISTS records_status_date_idx;"
                + " DELETE FROM databasechangelog WHERE id = '2'");
    }

    @Test
    void aStaleLockStopsStartUpInBoundedTimeWithOneLineNamingReleaseLocksWhichFreesIt(@TempDir Path dir) throws Exception {
        makeAChangeSetPending();
        app.sql("UPDATE databasechangeloglock SET locked = TRUE, lockgranted = now() - interval '1 hour',"
                + " lockedby = 'dead-host (10.0.0.9)' WHERE id = 1");

        long start = System.nanoTime();
        Migrations.MigrationException refused = assertThrows(Migrations.MigrationException.class, app::startSibling);
        long waitedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(waitedMs >= LOCK_WAIT_SECONDS * 1000L, "waited the configured " + LOCK_WAIT_SECONDS + " s, not " + waitedMs + " ms");
        assertTrue(waitedMs < LOCK_WAIT_SECONDS * 1000L + 8000, "gave up in bounded time, not after " + waitedMs + " ms");
        String message = refused.getMessage();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("dead-host (10.0.0.9)"), message);
        assertTrue(message.contains("postgres.migration_lock_wait_seconds"), message);
        assertTrue(message.endsWith("release it with: java -jar target/attendance-api.jar release-locks"), message);

        // Main prints it as the one line of a failed start.
        String configFile = TestConfigs.write(dir, app.config).toString();
        String stderr = captureStderr(() -> assertEquals(1,
                Main.run(new String[] {"migrate"}, Map.of("CONFIG_FILE", configFile))));
        assertTrue(stderr.lines().anyMatch(l -> l.startsWith("attendance-api: the database migration lock has been held by dead-host")
                && l.endsWith("java -jar target/attendance-api.jar release-locks")), stderr);

        String released = captureStderr(() -> assertEquals(0,
                Main.run(new String[] {"release-locks"}, Map.of("CONFIG_FILE", configFile))));
        assertTrue(released.contains("attendance-api: released the migration lock of database " + app.config.postgres().database()), released);
        assertFalse(locked());

        try (App sibling = app.startSibling()) {
            assertTrue(sibling.port() > 0);
        }
        assertFalse(locked(), "the lock is released after a normal start");
        assertEquals(200, app.get(Routes.V1 + "/health").statusCode());
    }

    @Test
    void anInstanceStillMigratingMakesAnotherWaitItsTurnThenGiveUpInBoundedTime() throws Exception {
        makeAChangeSetPending();
        // What an instance holds while it migrates (Migrations.apply): the advisory lock of this service's key.
        try (Connection migrating = app.env.connect(app.config.postgres().database()); Statement s = migrating.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + 0x617474656e64616eL + ")");
            long start = System.nanoTime();
            Migrations.MigrationException refused = assertThrows(Migrations.MigrationException.class, app::startSibling);
            long waitedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waitedMs >= LOCK_WAIT_SECONDS * 1000L && waitedMs < LOCK_WAIT_SECONDS * 1000L + 8000, waitedMs + " ms");
            assertEquals("another instance has been migrating the database for longer than " + LOCK_WAIT_SECONDS
                    + " s (postgres.migration_lock_wait_seconds); start again once it is done", refused.getMessage());

            // Its turn comes as soon as the other is done.
            s.execute("SELECT pg_advisory_unlock_all()");
            try (App sibling = app.startSibling()) {
                assertTrue(sibling.port() > 0);
            }
        }
    }

    private static boolean locked() throws SQLException {
        try (Connection c = app.env.connect(app.config.postgres().database()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT bool_or(locked) FROM databasechangeloglock")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static String captureStderr(Runnable body) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
