package org.otmicroservices.attendance.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.otmicroservices.attendance.TestConfigs;
import org.otmicroservices.attendance.config.Config;

/** The driver time-outs that bound a hung PostgreSQL really reach the connections the pool hands out. */
class DatabasePoolTest {
    @Test
    void pooledConnectionsCarryTheSocketTimeoutDerivedFromTheStatementTimeout() throws SQLException {
        Config.Postgres pg = TestConfigs.with(Config.load(Path.of("config.yaml"), System.getenv()),
                "postgres.database", "postgres", "postgres.pool_size", 1, "postgres.connect_timeout_ms", 1000,
                "postgres.statement_timeout_ms", 2500).postgres();
        try (HikariDataSource pool = Database.pool(pg); Connection c = pool.getConnection()) {
            // ceil(2.5 s) + 2 s. Before the fix Hikari passed an Integer, which pgjdbc ignores: 0, wait forever.
            assertEquals(5000, c.getNetworkTimeout());
        }
    }
}
