package org.otmicroservices.attendance;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import liquibase.Contexts;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Applies the Liquibase changelog that the jar carries at the path the Flask project's CLI used. */
final class Migrations {
    /** Part of every changeSet's identity in DATABASECHANGELOG.FILENAME: never change it. */
    static final String CHANGELOG = "migration/db.changelog-master.xml";

    private final DataSource dataSource;

    Migrations(DataSource dataSource) {
        this.dataSource = dataSource;
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
        run(liquibase -> liquibase.update(new Contexts()));
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
            Scope.child(Map.of(Scope.Attr.ui.name(), new LoggerUIService()), () -> {
                Liquibase liquibase = new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()), database);
                step.run(liquibase);
            });
        } catch (SQLException e) {
            throw new MigrationException("cannot connect to PostgreSQL to migrate: " + e.getMessage());
        } catch (Exception e) {
            throw new MigrationException("database migration failed: " + e.getMessage());
        }
    }

    static final class MigrationException extends RuntimeException {
        MigrationException(String message) {
            super(message);
        }
    }
}
