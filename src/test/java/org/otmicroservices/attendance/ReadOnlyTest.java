package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.db.Migrations;

/**
 * postgres.read_only: PostgreSQL itself refuses every write of the instance, so a run that must leave the database
 * as it found it (the class-archive training run) cannot write even by a bug of ours: reads are served, a create is
 * refused, and a database with a pending migration stops start-up instead of being migrated.
 */
class ReadOnlyTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    @Test
    void readsAreServedAndACreateIsRefusedWithoutARow() {
        assertEquals(200, app.create("ro-1", "Ada", "Present", "2023-01-01").statusCode());
        try (App readOnly = app.startSibling(c -> TestConfigs.with(c, "postgres.read_only", true))) {
            String base = "http://127.0.0.1:" + readOnly.port() + "/api/v1/attendance";
            assertEquals(200, Http.get(base + "/search?id=ro-1").statusCode());
            assertEquals(200, Http.get(base + "/health").statusCode());
            int status = Http.send(Http.request("POST", base + "/create", "application/json",
                    TestApp.record("ro-2", "Bob", "Present", "2023-01-02"))).statusCode();
            assertEquals(503, status);
        }
        assertEquals(0, app.count("SELECT count(*) FROM records WHERE id = 'ro-2'"));
    }

    @Test
    void aPendingMigrationStopsStartUpAndLeavesTheDatabaseEmpty() {
        String empty = app.env.createDatabase();
        Migrations.MigrationException e = assertThrows(Migrations.MigrationException.class, () -> App.start(
                TestConfigs.with(app.env.config(empty, app.env.newKeyPrefix()), "postgres.read_only", true),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("database migration failed"), e.getMessage());
        assertEquals(0, app.env.count(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }
}
