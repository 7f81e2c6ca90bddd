package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.db.AppliedChangeSets;
import org.otmicroservices.attendance.db.Database;

/**
 * Start-up asks whether the schema is current on the connection that proved PostgreSQL reachable (App.start). A
 * server that stalls between that login and the question must fail the question within the pool's socket
 * time-out, not hold the start for ever: the probe connection carries the same time-out as the pool's.
 */
class PostgresStallAtStartTest {
    /** Database.pool: the statement timeout rounded up to seconds, plus 2 s. */
    private static final long SOCKET_TIMEOUT_MS = 3000;

    @Test
    void theMigrationCheckOnTheProbeConnectionGivesUpWithinTheSocketTimeoutWhenPostgresStallsAfterTheLogin() throws Exception {
        Config loaded = Config.load(Path.of("config.yaml"), System.getenv());
        Config.HostPort target = loaded.postgres().hosts().get(0);
        try (FaultProxy proxy = FaultProxy.to(target.host(), target.port())) {
            Config.Postgres pg = TestConfigs.with(loaded, "postgres.database", "postgres", "postgres.host", proxy.host(),
                    "postgres.port", proxy.port(), "postgres.connect_timeout_ms", 1000,
                    "postgres.statement_timeout_ms", 1000).postgres();
            try (Connection probe = Database.awaitConnection(pg)) {
                assertEquals(SOCKET_TIMEOUT_MS, probe.getNetworkTimeout());
                proxy.blackhole();
                long started = System.nanoTime();
                boolean upToDate = assertTimeoutPreemptively(Duration.ofMillis(SOCKET_TIMEOUT_MS + 5000),
                        () -> AppliedChangeSets.upToDate(probe));
                long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
                assertFalse(upToDate, "a check that got no answer is not up to date: Liquibase's run decides");
                // Not before the time-out: the stall was real, and it was the socket time-out that ended it.
                assertTrue(tookMs >= SOCKET_TIMEOUT_MS - 200, "gave up after " + tookMs + " ms");
            }
        }
    }
}
