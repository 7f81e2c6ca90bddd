package org.otmicroservices.attendance.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool's connections: one already logged in first (start-up's probe, App.start), then new logins. A SCRAM
 * login costs a young JVM ~0.05-0.1 s of CPU, and the first request after a start, a health probe, waited for the
 * pool's own (docs/PERFORMANCE.md).
 *
 * The first connection is handed over only if it still answers, as a new login just has: Hikari learns the
 * server's default isolation level from the first connection it gets, and a dead one (PostgreSQL restarted or
 * failed over since the probe's check) left that level unknown, so that Hikari then refused every later
 * connection at setup (DatabasePoolTest).
 */
final class FirstConnectionSource implements DataSource {
    private static final int ANSWER_SECONDS = 1;
    private final AtomicReference<Connection> first;
    private final DataSource logins;

    FirstConnectionSource(Connection first, DataSource logins) {
        this.first = new AtomicReference<>(first);
        this.logins = logins;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection handed = first.getAndSet(null);
        if (handed != null) {
            if (handed.isValid(ANSWER_SECONDS)) {
                return handed;
            }
            try {
                handed.close();
            } catch (SQLException e) {
                // a connection that no longer answers: nothing of it is kept
            }
        }
        return logins.getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return logins.getConnection(user, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return logins.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        logins.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        logins.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return logins.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return logins.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return logins.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return logins.isWrapperFor(type);
    }
}
