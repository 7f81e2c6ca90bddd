package org.otmicroservices.attendance.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.otmicroservices.attendance.TestConfigs;
import org.otmicroservices.attendance.config.Config;

/** The connections the pool hands out: the driver time-outs that bound a hung PostgreSQL, and start-up's probe first. */
class DatabasePoolTest {
    private final Config.Postgres pg = TestConfigs.with(Config.load(Path.of("config.yaml"), System.getenv()),
            "postgres.database", "postgres", "postgres.pool_size", 1, "postgres.connect_timeout_ms", 1000,
            "postgres.statement_timeout_ms", 2500).postgres();

    @Test
    void pooledConnectionsCarryTheSocketTimeoutDerivedFromTheStatementTimeout() throws SQLException {
        try (HikariDataSource pool = Database.pool(pg); Connection c = pool.getConnection()) {
            // ceil(2.5 s) + 2 s. Before the fix Hikari passed an Integer, which pgjdbc ignores: 0, wait forever.
            assertEquals(5000, c.getNetworkTimeout());
        }
    }

    @Test
    void theProbeConnectionBecomesThePoolsFirstInsteadOfASecondLogin() throws SQLException {
        Connection probe = Database.awaitConnection(pg);
        int probeBackend = backendPid(probe);
        try (HikariDataSource pool = Database.pool(pg, probe); Connection c = pool.getConnection()) {
            assertEquals(probeBackend, backendPid(c), "the same server session as the probe's");
            assertEquals(5000, c.getNetworkTimeout());
        }
    }

    @Test
    void aProbeClosedMeanwhileIsPassedOverForANewLogin() throws SQLException {
        Connection probe = Database.awaitConnection(pg);
        int probeBackend = backendPid(probe);
        probe.close();
        try (HikariDataSource pool = Database.pool(pg, probe); Connection c = pool.getConnection()) {
            assertNotEquals(probeBackend, backendPid(c));
        }
    }

    @Test
    void aProbeWhoseSessionDiedMeanwhileIsPassedOverForANewLogin() throws SQLException {
        Connection probe = Database.awaitConnection(pg);
        int probeBackend = backendPid(probe);
        try (Connection admin = Database.awaitConnection(pg); Statement s = admin.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + probeBackend + ")"); // as a server restart would, unseen by the probe
        }
        try (HikariDataSource pool = Database.pool(pg, probe); Connection c = pool.getConnection()) {
            // Handed over dead, the probe left Hikari without the default isolation level: no connection at all.
            assertNotEquals(probeBackend, backendPid(c));
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
