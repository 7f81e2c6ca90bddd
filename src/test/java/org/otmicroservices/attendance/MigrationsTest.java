package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import liquibase.GlobalConfiguration;
import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.parser.core.xml.XMLChangeLogSAXParser;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.resource.ResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.db.AppliedChangeSets;
import org.otmicroservices.attendance.db.Migrations;

/** The three databases a Flask user may start the service on (README "Configuration": the changelog), each created fresh here. */
class MigrationsTest {
    @RegisterExtension
    static final Env env = new Env();

    /** Every applied changeSet, in order: the Flask one (id 1) first, then the service's own. */
    private static final String CHANGELOG_QUERY =
            "SELECT id, author, filename, md5sum, exectype, dateexecuted::text, orderexecuted FROM databasechangelog ORDER BY orderexecuted";
    /** changeSet 1 (Flask's) and the service's own: migration/db.changelog-master.xml. */
    private static final int SERVICE_CHANGESETS = 2;

    /** The per-run TestEnv, without starting an app. */
    static final class Env implements BeforeAllCallback {
        TestEnv testEnv;

        @Override
        public void beforeAll(ExtensionContext context) {
            testEnv = TestEnv.get(context);
        }
    }

    private static App start(String database) {
        return App.start(env.testEnv.config(database, env.testEnv.newKeyPrefix()), new PrintStream(OutputStream.nullOutputStream()));
    }

    private static List<List<String>> query(String database, String sql) {
        return env.testEnv.query(database, sql);
    }

    private static void execute(String database, String sql) {
        env.testEnv.execute(database, sql);
    }

    private static HttpResponse<String> get(App app, String path) {
        return Http.get("http://127.0.0.1:" + app.port() + path);
    }

    /** `liquibase update` as the Flask project ran it: its changelog, found by this relative path under the search path. */
    private static void migrateLikeTheFlaskCli(String database) throws Exception {
        Migrations.configureLiquibase();
        Path searchPath = Path.of(MigrationsTest.class.getResource("/flask-cli").toURI());
        try (Connection c = env.testEnv.connect(database);
             DirectoryResourceAccessor accessor = new DirectoryResourceAccessor(searchPath)) {
            Database db = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
            Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), accessor, Scope.Attr.ui.name(), new LoggerUIService()),
                    () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                            .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, db)
                            .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, "migration/db.changelog-master.xml")
                            .execute());
        }
    }

    /** The changeSets after the Flask one (the indexes for filters and paging, ...): the service's own, run on every kind of database. */
    private static void assertOwnChangeSetsExecuted(List<List<String>> changelog) {
        for (List<String> row : changelog.subList(1, changelog.size())) {
            assertEquals(List.of("attendance-api", "migration/db.changelog-master.xml"), row.subList(1, 3), row.toString());
            assertEquals("EXECUTED", row.get(4), row.toString());
        }
    }

    private static List<List<String>> recordsColumns(String database) {
        return query(database, "SELECT column_name, data_type FROM information_schema.columns "
                + "WHERE table_schema = 'public' AND table_name = 'records' ORDER BY ordinal_position");
    }

    @Test
    void anEmptyDatabaseGetsTheRecordsTableAndChangeSetOne() throws Exception {
        String database = env.testEnv.createDatabase();
        try (App app = start(database)) {
            assertEquals(200, get(app, "/api/v1/attendance/search/all").statusCode());
        }
        assertEquals(List.of(List.of("id", "text"), List.of("name", "text"), List.of("status", "text"), List.of("date", "date")),
                recordsColumns(database));
        assertEquals(List.of(List.of("id")), query(database, "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                + "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'records'::regclass AND i.indisprimary"));
        List<List<String>> changelog = query(database, CHANGELOG_QUERY);
        assertEquals(SERVICE_CHANGESETS, changelog.size(), changelog.toString());
        assertEquals(List.of("1", "Abhishek Dubey", "migration/db.changelog-master.xml"), changelog.get(0).subList(0, 3));
        assertEquals("EXECUTED", changelog.get(0).get(4));
        assertOwnChangeSetsExecuted(changelog);
    }

    @Test
    void aDatabaseMigratedByTheFlaskLiquibaseCliIsSeenAsUpToDate() throws Exception {
        String database = env.testEnv.createDatabase();
        migrateLikeTheFlaskCli(database);
        execute(database, "INSERT INTO records VALUES ('cli1', 'Ann', 'Present', '2023-01-01')");
        List<List<String>> before = query(database, CHANGELOG_QUERY);
        assertEquals(1, before.size());
        assertEquals(List.of("1", "Abhishek Dubey", "migration/db.changelog-master.xml"), before.get(0).subList(0, 3));
        assertNotNull(before.get(0).get(3), "MD5SUM");

        try (App app = start(database)) {
            HttpResponse<String> found = get(app, "/api/v1/attendance/search?id=cli1");
            assertEquals(200, found.statusCode());
            assertEquals("{\"id\":\"cli1\",\"name\":\"Ann\",\"status\":\"Present\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}\n",
                    found.body());
        }
        List<List<String>> after = query(database, CHANGELOG_QUERY);
        assertEquals(before, after.subList(0, 1), "changeSet 1's row as it was: same checksum, same FILENAME, not re-run");
        assertEquals(SERVICE_CHANGESETS, after.size(), after.toString());
        assertOwnChangeSetsExecuted(after);
    }

    @Test
    void aTableCreatedByHandWithoutLiquibaseIsAdoptedAsMarkRan() throws Exception {
        String database = env.testEnv.createDatabase();
        execute(database, "CREATE TABLE records(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, date DATE);"
                + "INSERT INTO records VALUES ('hand1', 'Bob', 'Absent', '2023-01-02')");
        assertEquals(List.of(), query(database, "SELECT 1 FROM pg_tables WHERE tablename = 'databasechangelog'"));

        try (App app = start(database)) {
            HttpResponse<String> found = get(app, "/api/v1/attendance/search?id=hand1");
            assertEquals(200, found.statusCode());
            assertEquals("{\"id\":\"hand1\",\"name\":\"Bob\",\"status\":\"Absent\",\"date\":\"Mon, 02 Jan 2023 00:00:00 GMT\"}\n",
                    found.body());
        }
        List<List<String>> changelog = query(database, CHANGELOG_QUERY);
        assertEquals(SERVICE_CHANGESETS, changelog.size(), changelog.toString());
        assertEquals(List.of("1", "Abhishek Dubey", "migration/db.changelog-master.xml"), changelog.get(0).subList(0, 3));
        assertEquals("MARK_RAN", changelog.get(0).get(4));
        assertOwnChangeSetsExecuted(changelog);
        assertEquals(List.of(List.of("hand1", "Bob", "Absent", "2023-01-02")),
                query(database, "SELECT id, name, status, date::text FROM records"));
    }

    @Test
    void startingTwiceOnTheSameDatabaseChangesNothing() throws Exception {
        String database = env.testEnv.createDatabase();
        start(database).close();
        execute(database, "INSERT INTO records VALUES ('twice', 'Cy', 'Present', '2023-01-03')");
        List<List<String>> changelog = query(database, CHANGELOG_QUERY);
        List<List<String>> columns = recordsColumns(database);

        try (App app = start(database)) {
            assertEquals(200, get(app, "/api/v1/attendance/search?id=twice").statusCode());
        }
        assertEquals(changelog, query(database, CHANGELOG_QUERY));
        assertEquals(columns, recordsColumns(database));
        assertEquals(List.of(List.of("twice")), query(database, "SELECT id FROM records"));
        assertEquals(List.of(List.of("0")), query(database, "SELECT count(*) FROM databasechangeloglock WHERE locked"));
    }

    @Test
    void theChangeSetsStartUpLooksForAreWhatLiquibaseRecords() {
        String database = env.testEnv.createDatabase();
        start(database).close();
        List<AppliedChangeSets.ChangeSet> recorded = query(database, CHANGELOG_QUERY).stream()
                .map(row -> new AppliedChangeSets.ChangeSet(row.get(0), row.get(1), row.get(3))).toList();
        assertEquals(recorded, AppliedChangeSets.CHANGELOG,
                "AppliedChangeSets.CHANGELOG must list every changeSet of " + Migrations.CHANGELOG + " with its checksum");
    }

    @Test
    void anUpToDateDatabaseStartsWithoutRunningLiquibase() {
        String database = env.testEnv.createDatabase();
        start(database).close();
        // A Liquibase lock held elsewhere: Liquibase would wait for it, then refuse to start.
        execute(database, "UPDATE databasechangeloglock SET locked = TRUE, lockgranted = now(), lockedby = 'elsewhere' WHERE id = 1");
        try (App app = start(database)) {
            assertEquals(200, get(app, "/api/v1/attendance/health").statusCode());
        }
        assertEquals(List.of(List.of("t", "elsewhere")), query(database, "SELECT locked, lockedby FROM databasechangeloglock"),
                "Liquibase did not touch its lock");
    }

    @Test
    void aChangedChecksumIsStillReportedByLiquibase() {
        String database = env.testEnv.createDatabase();
        start(database).close();
        execute(database, "UPDATE databasechangelog SET md5sum = '9:00000000000000000000000000000000' WHERE id = '1'");
        Migrations.MigrationException refused = assertThrows(Migrations.MigrationException.class, () -> start(database));
        assertEquals("database migration failed: Validation Failed: 1 changesets check sum " + Migrations.CHANGELOG
                + "::1::Abhishek Dubey was: 9:00000000000000000000000000000000 but is now: " + AppliedChangeSets.CHANGELOG.get(0).checksum(),
                refused.getMessage());
    }

    @Test
    void theChangelogIsValidAgainstLiquibasesSchema() throws Exception {
        // Start-up skips this check (Migrations), so it is made here, once per build, on a parser of its own:
        // Liquibase reads the setting when it makes a parser, and keeps the first one it made.
        ResourceAccessor jar = new ClassLoaderResourceAccessor(Migrations.class.getClassLoader());
        DatabaseChangeLog changelog = Scope.child(Map.of(GlobalConfiguration.VALIDATE_XML_CHANGELOG_FILES.getKey(), true),
                () -> new XMLChangeLogSAXParser().parse(Migrations.CHANGELOG, new ChangeLogParameters(), jar));
        assertEquals(SERVICE_CHANGESETS, changelog.getChangeSets().size());
    }
}
