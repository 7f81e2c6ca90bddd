package org.otmicroservices.attendance.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.util.Causes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the HikariCP pool and waits, at start-up only, for PostgreSQL to answer. */
public final class Database {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    // Retrying cannot fix a wrong password, a missing role or a missing database.
    private static final Set<String> FATAL_SQL_STATES = Set.of("28P01", "28000", "3D000");

    private Database() {}

    /** Thrown when PostgreSQL did not answer within the start-up wait, or refused the login. */
    public static final class UnavailableException extends RuntimeException {
        UnavailableException(String message) {
            super(message);
        }
    }

    public static HikariDataSource pool(Config.Postgres pg) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("attendance-db");
        hc.setJdbcUrl(pg.jdbcUrl());
        hc.setUsername(pg.user());
        hc.setPassword(pg.password());
        hc.setMaximumPoolSize(pg.poolSize());
        hc.setMinimumIdle(pg.poolSize());
        // A request waits at most this long for a connection, so a dead database answers 503 quickly.
        hc.setConnectionTimeout(pg.connectTimeoutMs());
        hc.setValidationTimeout(Math.min(1000, pg.connectTimeoutMs()));
        // Do not fail construction: start-up has already waited for the database (awaitReachable), and a
        // database that drops out later is a request error, not a reason to fail here.
        hc.setInitializationFailTimeout(-1);
        // Driver properties must be Strings: Hikari copies them with Properties.putAll and pgjdbc reads them with
        // getProperty, which ignores any other type, so an Integer socketTimeout would silently be no timeout at all.
        String connectSeconds = String.valueOf(Math.max(1, pg.connectTimeoutMs() / 1000));
        hc.addDataSourceProperty("connectTimeout", connectSeconds);
        hc.addDataSourceProperty("loginTimeout", connectSeconds);
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("ApplicationName", "attendance-api");
        // A black-holed server must not hold a request thread forever: the socket gives up after the
        // statement timeout (rounded up to whole seconds, the driver's unit) plus a margin for the server's
        // own cancellation to arrive; the server cancels long statements itself.
        if (pg.statementTimeoutMs() > 0) {
            hc.addDataSourceProperty("socketTimeout", String.valueOf((pg.statementTimeoutMs() + 999) / 1000 + 2));
        }
        // Dates are parsed as the Flask service's server parsed them (01/02/2023 is January 2).
        hc.addDataSourceProperty("options", "-c DateStyle=ISO,MDY -c statement_timeout=" + pg.statementTimeoutMs());
        return new HikariDataSource(hc);
    }

    /**
     * Blocks until PostgreSQL accepts a login, logging each retry, or throws after the configured wait.
     * Probes with one plain connection per attempt rather than through the pool: a pool checkout waits the
     * whole connection timeout (3 s) per attempt, so a refused port gave one silent attempt instead of one
     * log line a second, and closing a pool that was still retrying added seconds to the exit.
     */
    public static void awaitReachable(Config.Postgres pg) {
        long deadline = System.nanoTime() + Duration.ofSeconds(pg.startupWaitSeconds()).toNanos();
        int attempt = 0;
        while (true) {
            attempt++;
            try (Connection ignored = DriverManager.getConnection(pg.jdbcUrl(), probeProperties(pg))) {
                if (attempt > 1) {
                    LOG.info("PostgreSQL at {}:{} is reachable", pg.host(), pg.port());
                }
                return;
            } catch (SQLException e) {
                String reason = Causes.rootMessage(e);
                if (isFatal(e)) {
                    throw new UnavailableException("PostgreSQL at " + pg.host() + ":" + pg.port() + "/" + pg.database()
                            + " refused the connection: " + reason);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new UnavailableException("PostgreSQL at " + pg.host() + ":" + pg.port()
                            + " did not answer within " + pg.startupWaitSeconds() + " s: " + reason);
                }
                LOG.warn("PostgreSQL at {}:{} is not reachable yet (attempt {}, {} s left): {}",
                        pg.host(), pg.port(), attempt, Duration.ofNanos(left).toSeconds(), reason);
                sleep(Math.min(1000, Duration.ofNanos(left).toMillis()));
            }
        }
    }

    private static Properties probeProperties(Config.Postgres pg) {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password());
        String connectSeconds = Integer.toString(Math.max(1, pg.connectTimeoutMs() / 1000));
        props.setProperty("connectTimeout", connectSeconds);
        props.setProperty("loginTimeout", connectSeconds);
        props.setProperty("ApplicationName", "attendance-api");
        return props;
    }

    private static boolean isFatal(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && FATAL_SQL_STATES.contains(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }


    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for PostgreSQL");
        }
    }
}
