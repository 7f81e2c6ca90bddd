package org.otmicroservices.attendance.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.util.Causes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to PostgreSQL: the HikariCP pool, the start-up wait for PostgreSQL to answer, check-config's
 * one-off check, and which failures mean "the database is unavailable". Every connection carries the same
 * driver settings (driverProperties).
 */
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

    /**
     * Retryable database failures: connection failures (class 08), shutdowns and cancellations (57), pool time-outs,
     * and a write refused as read-only (25006): a standby, or a primary being demoted, which a failover resolves.
     */
    public static boolean isUnavailable(Throwable e) {
        return Causes.find(e, SQLTransientConnectionException.class).isPresent()
                || Causes.find(e, SQLException.class, s -> s.getSQLState() != null
                        && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57")
                                || s.getSQLState().equals("25006"))).isPresent();
    }

    public static HikariDataSource pool(Config.Postgres pg) {
        return pool(pg, null);
    }

    /**
     * The pool; its first connection is first (one of awaitConnection's, with these same settings) instead of a
     * login of its own, or a new one when first is null or no longer answers.
     */
    public static HikariDataSource pool(Config.Postgres pg, Connection first) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("attendance-db");
        hc.setMaximumPoolSize(pg.poolSize());
        hc.setMinimumIdle(pg.poolSize());
        // A request waits at most this long for a connection, so a dead database answers 503 quickly.
        hc.setConnectionTimeout(pg.connectTimeoutMs());
        hc.setValidationTimeout(Math.min(1000, pg.connectTimeoutMs()));
        // Do not fail construction: start-up has already waited for the database (awaitReachable), and a
        // database that drops out later is a request error, not a reason to fail here.
        hc.setInitializationFailTimeout(-1);
        Properties props = driverProperties(pg, Math.max(1, pg.connectTimeoutMs() / 1000), socketTimeoutSeconds(pg));
        hc.setDataSource(new FirstConnectionSource(first, new DriverDataSource(pg.jdbcUrl(), null, props, pg.user(), pg.password())));
        return new HikariDataSource(hc);
    }

    /**
     * A black-holed server must not hold a request thread forever: the socket gives up after the statement timeout
     * (rounded up to whole seconds, the driver's unit) plus a margin for the server's own cancellation to arrive;
     * the server cancels long statements itself. 0: no socket timeout, as no statement timeout.
     */
    static int socketTimeoutSeconds(Config.Postgres pg) {
        return pg.statementTimeoutMs() > 0 ? (pg.statementTimeoutMs() + 999) / 1000 + 2 : 0;
    }

    /**
     * The driver settings of every connection. They must be Strings: pgjdbc reads them with getProperty, which
     * ignores any other type, so an Integer socketTimeout would silently be no timeout at all. The credentials are
     * not among them (DriverDataSource adds them to its own copy).
     */
    private static Properties driverProperties(Config.Postgres pg, int connectSeconds, int socketSeconds) {
        Properties props = new Properties();
        props.setProperty("connectTimeout", Integer.toString(connectSeconds));
        props.setProperty("loginTimeout", Integer.toString(connectSeconds));
        props.setProperty("socketTimeout", Integer.toString(socketSeconds));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "attendance-api");
        // Dates are parsed as the Flask service's server parsed them (01/02/2023 is January 2).
        // Read-only sessions: PostgreSQL refuses every write with 25006, which isUnavailable turns into a 503, and a
        // pending migration stops start-up. Nothing in the service sets a transaction READ WRITE to get round it.
        props.setProperty("options", "-c DateStyle=ISO,MDY -c statement_timeout=" + pg.statementTimeoutMs()
                + (pg.readOnly() ? " -c default_transaction_read_only=on" : ""));
        return props;
    }

    /** One connection outside the pool, to the given URL, with the service's driver settings and the given time-outs. */
    private static Connection connectOnce(Config.Postgres pg, String url, int connectSeconds, int socketSeconds) throws SQLException {
        Properties props = driverProperties(pg, connectSeconds, socketSeconds);
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password());
        return DriverManager.getConnection(url, props);
    }

    /** What one server answers: its version, and whether it is a standby (in recovery) or the primary. */
    public record ServerInfo(String version, boolean standby) {
        public String role() {
            return standby ? "standby" : "primary";
        }
    }

    /** check-config and health/detail: one host's version and role, within the time-out; UnavailableException says why not. */
    public static ServerInfo probe(Config.Postgres pg, Config.HostPort host, int timeoutSeconds) {
        try (Connection c = connectOnce(pg, pg.jdbcUrl(host), timeoutSeconds, timeoutSeconds); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version'), pg_is_in_recovery()")) {
            rs.next();
            return new ServerInfo(rs.getString(1), rs.getBoolean(2));
        } catch (SQLException e) {
            throw new UnavailableException(Causes.rootMessage(e));
        }
    }

    /** Jdbi over connections of the pool, with PostgreSQL's types; built before the pool exists (App.start). */
    public static Jdbi jdbi(ConnectionFactory pool) {
        return Jdbi.create(pool).installPlugin(new PostgresPlugin());
    }

    /** Blocks until PostgreSQL accepts a login (awaitConnection), then closes that connection. */
    public static void awaitReachable(Config.Postgres pg) {
        try {
            awaitConnection(pg).close();
        } catch (SQLException e) {
            // Closing a connection that has run nothing: nothing of the caller's is lost.
            LOG.debug("closing the probe connection: {}", Causes.rootMessage(e));
        }
    }

    /**
     * Blocks until PostgreSQL accepts a login, logging each retry, and returns that connection (the caller closes
     * it), or throws after the configured wait. Probes with one plain connection per attempt rather than through
     * the pool: a pool checkout waits the whole connection timeout (3 s) per attempt, so a refused port gave one
     * silent attempt instead of one log line a second, and closing a pool that was still retrying added seconds to
     * the exit. Start-up asks its migration check on this connection, then hands it to the pool.
     */
    public static Connection awaitConnection(Config.Postgres pg) {
        long deadline = System.nanoTime() + Duration.ofSeconds(pg.startupWaitSeconds()).toNanos();
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                // The pool's socket time-out: start-up's migration check runs on this connection, and a server
                // that stalls after the login must fail that query, not hold the start for ever.
                Connection connection = connectOnce(pg, pg.jdbcUrl(), Math.max(1, pg.connectTimeoutMs() / 1000),
                        socketTimeoutSeconds(pg));
                if (attempt > 1) {
                    LOG.info("PostgreSQL at {} is reachable", pg.where());
                }
                return connection;
            } catch (SQLException e) {
                String reason = Causes.rootMessage(e);
                if (isFatal(e)) {
                    throw new UnavailableException("PostgreSQL at " + pg.where() + "/" + pg.database()
                            + " refused the connection: " + reason);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new UnavailableException("PostgreSQL at " + pg.where()
                            + " did not answer within " + pg.startupWaitSeconds() + " s: " + reason);
                }
                LOG.warn("PostgreSQL at {} is not reachable yet (attempt {}, {} s left): {}",
                        pg.where(), attempt, Duration.ofNanos(left).toSeconds(), reason);
                sleep(Math.min(1000, Duration.ofNanos(left).toMillis()));
            }
        }
    }

    private static boolean isFatal(SQLException e) {
        return Causes.find(e, SQLException.class, s -> s.getSQLState() != null && FATAL_SQL_STATES.contains(s.getSQLState()))
                .isPresent();
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
