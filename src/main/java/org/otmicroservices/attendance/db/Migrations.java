package org.otmicroservices.attendance.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import liquibase.Contexts;
import liquibase.GlobalConfiguration;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.exception.LockException;
import liquibase.exception.ValidationFailedException;
import liquibase.lockservice.DatabaseChangeLogLock;
import liquibase.lockservice.LockServiceFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.util.Causes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Applies the Liquibase changelog that the jar carries at the path the Flask project's CLI used. */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** Part of every changeSet's identity in DATABASECHANGELOG.FILENAME: never change it. */
    public static final String CHANGELOG = "migration/db.changelog-master.xml";
    static final String RELEASE_COMMAND = "java -jar target/attendance-api.jar release-locks";
    private static final long LOCK_POLL_MS = 500;
    /** pg_advisory_lock key of this service's migrations: "attendan" in ASCII. Scoped to the database. */
    private static final long ADVISORY_LOCK_KEY = 0x617474656e64616eL;

    private final DataSource dataSource;
    private final Duration lockWait;

    public Migrations(DataSource dataSource) {
        this(dataSource, Duration.ofSeconds(Config.Postgres.DEFAULT_MIGRATION_LOCK_WAIT_SECONDS));
    }

    /** lockWait: how long to wait for a Liquibase lock held by someone else (Liquibase's own default is 5 minutes). */
    public Migrations(DataSource dataSource, Duration lockWait) {
        this.dataSource = dataSource;
        this.lockWait = lockWait;
    }

    /** Liquibase 4.30+ fetches an analytics config over HTTPS unless told not to; it logs through java.util.logging,
     * which goes to SLF4J (stderr) so nothing but the access log reaches stdout. */
    public static void configureLiquibase() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        System.setProperty("liquibase.analytics.enabled", "false");
        System.setProperty("liquibase.command.showSummaryOutput", "log");
        System.setProperty("liquibase.showBanner", "false");
    }

    /**
     * Applies pending changeSets. Instances starting together take turns: a PostgreSQL advisory lock, held by this
     * connection's session, covers the whole Liquibase run, because Liquibase creates its DATABASECHANGELOG table
     * before it takes its own lock and two instances on an empty database would both try (one then fails). An
     * advisory lock cannot go stale: PostgreSQL drops it with the session of an instance that dies.
     */
    public void apply() {
        long deadline = System.nanoTime() + lockWait.toNanos();
        run(connection -> awaitAdvisoryLock(connection, deadline), liquibase -> {
            awaitNoLock(liquibase.getDatabase(), deadline);
            liquibase.update(new Contexts());
        });
    }

    public void releaseLocks() {
        run(connection -> { }, Liquibase::forceReleaseLocks);
    }

    private void awaitAdvisoryLock(Connection connection, long deadline) throws SQLException {
        boolean logged = false;
        while (!tryAdvisoryLock(connection)) {
            if (System.nanoTime() >= deadline) {
                throw new MigrationException("another instance has been migrating the database for longer than "
                        + lockWait.toSeconds() + " s (postgres.migration_lock_wait_seconds); start again once it is done");
            }
            if (!logged) {
                LOG.info("another instance is migrating the database; waiting up to {} s for it", lockWait.toSeconds());
                logged = true;
            }
            pause();
        }
    }

    private static boolean tryAdvisoryLock(Connection connection) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            s.setLong(1, ADVISORY_LOCK_KEY);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * The pool keeps the session open after this connection is returned, so the advisory lock must be let go and
     * the statement timeout set back to the connection's start-up value explicitly.
     */
    private static void resetSession(Connection connection) {
        try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_unlock_all()")) {
            setStatementTimeout(connection, "DEFAULT");
            s.execute();
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        } catch (SQLException e) {
            // A broken connection has lost its session, and the lock with it.
            LOG.warn("could not reset the migration session: {}", e.getMessage());
        }
    }

    /**
     * Waits, until the deadline, while the Liquibase lock is held: by the Liquibase CLI, or left by an instance
     * killed mid-migration, which leaves it set forever. Rather than hang (Liquibase waits 5 minutes, then fails
     * without saying what to do), stop with one line naming the command that releases it.
     */
    private void awaitNoLock(Database database, long deadline) throws LockException {
        boolean logged = false;
        while (true) {
            DatabaseChangeLogLock[] locks = LockServiceFactory.getInstance().getLockService(database).listLocks();
            if (locks.length == 0) {
                return;
            }
            String holder = describe(locks[0]);
            if (System.nanoTime() >= deadline) {
                throw staleLock(holder);
            }
            if (!logged) {
                LOG.info("waiting up to {} s for the migration lock held by {}", lockWait.toSeconds(), holder);
                logged = true;
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(LOCK_POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException("interrupted while waiting for the migration lock");
        }
    }

    private MigrationException staleLock(String holder) {
        return new MigrationException("the database migration lock has been held by " + holder + " for longer than "
                + lockWait.toSeconds() + " s (postgres.migration_lock_wait_seconds); if no other instance is migrating, "
                + "release it with: " + RELEASE_COMMAND);
    }

    private static String describe(DatabaseChangeLogLock lock) {
        String by = lock.getLockedBy() == null ? "an unknown host" : lock.getLockedBy();
        return lock.getLockGranted() == null ? by : by + " since " + lock.getLockGranted().toInstant();
    }

    /** Session-level: "DEFAULT" gives back the connection's start-up value before it returns to the pool. */
    private static void setStatementTimeout(Connection connection, String value) throws SQLException {
        try (java.sql.Statement s = connection.createStatement()) {
            s.execute("SET statement_timeout = " + value);
        }
    }

    private interface Before {
        void run(Connection connection) throws SQLException;
    }

    private interface Step {
        void run(Liquibase liquibase) throws LiquibaseException;
    }

    private void run(Before before, Step step) {
        configureLiquibase();
        try (Connection connection = dataSource.getConnection()) {
            before.run(connection);
            // A changeSet may build an index over millions of rows: no request-sized statement timeout here.
            setStatementTimeout(connection, "0");
            try {
                Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
                // Console output ("Running Changeset", summaries) goes to the log, never into stdout's JSON lines.
                // The Liquibase lock is re-checked every second (default 10 s) should the CLI take it meanwhile.
                // The changelog is part of the jar: MigrationsTest checks it against Liquibase's XSD once per
                // build, so no start spends ~0.1 s loading that schema to check it again (start-up time, docs/PERFORMANCE.md).
                long waitMinutes = Math.max(1, (lockWait.toSeconds() + 59) / 60);
                Scope.child(Map.of(Scope.Attr.ui.name(), new LoggerUIService(),
                        GlobalConfiguration.CHANGELOGLOCK_POLL_RATE.getKey(), 1L,
                        GlobalConfiguration.CHANGELOGLOCK_WAIT_TIME.getKey(), waitMinutes,
                        GlobalConfiguration.VALIDATE_XML_CHANGELOG_FILES.getKey(), false), () -> {
                    Liquibase liquibase = new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()), database);
                    step.run(liquibase);
                });
            } finally {
                resetSession(connection);
            }
        } catch (SQLException e) {
            throw new MigrationException("cannot connect to PostgreSQL to migrate: " + e.getMessage());
        } catch (Exception e) {
            Optional<MigrationException> ours = Causes.find(e, MigrationException.class);
            if (ours.isPresent()) {
                throw ours.get();
            }
            if (Causes.find(e, LockException.class).isPresent() && Causes.rootMessage(e).contains("Could not acquire change log lock")) {
                throw staleLock("another instance");
            }
            Optional<ValidationFailedException> invalid = Causes.find(e, ValidationFailedException.class);
            if (invalid.isPresent()) {
                // Liquibase spreads what failed (a changeSet's checksum, say) over several indented lines.
                throw new MigrationException("database migration failed: " + String.join(" ",
                        invalid.get().getMessage().lines().map(String::strip).filter(l -> !l.isEmpty()).toList()));
            }
            throw new MigrationException("database migration failed: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    public static final class MigrationException extends RuntimeException {
        MigrationException(String message) {
            super(message);
        }
    }
}
