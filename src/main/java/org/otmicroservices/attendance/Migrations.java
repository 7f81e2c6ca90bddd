package org.otmicroservices.attendance;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
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
import liquibase.lockservice.DatabaseChangeLogLock;
import liquibase.lockservice.LockServiceFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Applies the Liquibase changelog that the jar carries at the path the Flask project's CLI used. */
final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** Part of every changeSet's identity in DATABASECHANGELOG.FILENAME: never change it. */
    static final String CHANGELOG = "migration/db.changelog-master.xml";
    static final String RELEASE_COMMAND = "java -jar target/attendance-api.jar release-locks";
    private static final long LOCK_POLL_MS = 500;

    private final DataSource dataSource;
    private final Duration lockWait;

    Migrations(DataSource dataSource) {
        this(dataSource, Duration.ofSeconds(Config.Postgres.DEFAULT_MIGRATION_LOCK_WAIT_SECONDS));
    }

    /** lockWait: how long to wait for a Liquibase lock held by someone else (Liquibase's own default is 5 minutes). */
    Migrations(DataSource dataSource, Duration lockWait) {
        this.dataSource = dataSource;
        this.lockWait = lockWait;
    }

    /** Liquibase 4.30+ fetches an analytics config over HTTPS unless told not to; it logs through java.util.logging,
     * which goes to SLF4J (stderr) so nothing but the access log reaches stdout. */
    static void configureLiquibase() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        System.setProperty("liquibase.analytics.enabled", "false");
        System.setProperty("liquibase.command.showSummaryOutput", "log");
        System.setProperty("liquibase.showBanner", "false");
    }

    void apply() {
        run(liquibase -> {
            awaitNoLock(liquibase.getDatabase());
            liquibase.update(new Contexts());
        });
    }

    /**
     * Waits, up to lockWait, while another instance holds the Liquibase lock. An instance killed mid-migration leaves
     * the lock set forever; rather than hang (Liquibase waits 5 minutes, then fails without saying what to do), stop
     * with one line naming the command that releases it. Two instances racing past this check are serialised by
     * Liquibase's own lock, polled every second (see run).
     */
    private void awaitNoLock(Database database) throws LockException {
        long deadline = System.nanoTime() + lockWait.toNanos();
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
            try {
                Thread.sleep(LOCK_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigrationException("interrupted while waiting for the migration lock");
            }
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

    void releaseLocks() {
        run(Liquibase::forceReleaseLocks);
    }

    private interface Step {
        void run(Liquibase liquibase) throws LiquibaseException;
    }

    private void run(Step step) {
        configureLiquibase();
        try (Connection connection = dataSource.getConnection()) {
            Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
            // Console output ("Running Changeset", summaries) goes to the log, never into stdout's JSON lines.
            // Racing instances: re-check Liquibase's lock every second (default 10 s) for at most the configured wait.
            long waitMinutes = Math.max(1, (lockWait.toSeconds() + 59) / 60);
            Scope.child(Map.of(Scope.Attr.ui.name(), new LoggerUIService(),
                    GlobalConfiguration.CHANGELOGLOCK_POLL_RATE.getKey(), 1L,
                    GlobalConfiguration.CHANGELOGLOCK_WAIT_TIME.getKey(), waitMinutes), () -> {
                Liquibase liquibase = new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()), database);
                step.run(liquibase);
            });
        } catch (SQLException e) {
            throw new MigrationException("cannot connect to PostgreSQL to migrate: " + e.getMessage());
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof MigrationException m) {
                    throw m;
                }
            }
            if (causedBy(e, LockException.class) && String.valueOf(rootMessage(e)).contains("Could not acquire change log lock")) {
                throw staleLock("another instance");
            }
            throw new MigrationException("database migration failed: " + firstLine(e.getMessage()));
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    static final class MigrationException extends RuntimeException {
        MigrationException(String message) {
            super(message);
        }
    }
}
