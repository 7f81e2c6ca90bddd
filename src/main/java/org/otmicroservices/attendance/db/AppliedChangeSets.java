package org.otmicroservices.attendance.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether the database already has every changeSet of the changelog, asked with one query and without Liquibase,
 * whose classes alone cost most of a start on an up-to-date database (docs/PERFORMANCE.md). Only when the answer
 * is no does Migrations run Liquibase. The checksums are Liquibase's (version 9, as DATABASECHANGELOG.MD5SUM
 * holds them); MigrationsTest checks this list against what Liquibase itself records, so a changeSet added to
 * the changelog without its line here fails the build instead of being skipped.
 */
public final class AppliedChangeSets {
    /** One DATABASECHANGELOG row: Liquibase's identity of a changeSet (id, author, file) and its checksum. */
    public record ChangeSet(String id, String author, String checksum) {}

    public static final List<ChangeSet> CHANGELOG = List.of(
            new ChangeSet("1", "Abhishek Dubey", "9:1349b20f523a652524043cf1442abb77"),
            new ChangeSet("2", "attendance-api", "9:a8d01686b28448d7cac6dae30a1f16f4"));

    private AppliedChangeSets() {}

    /**
     * True when DATABASECHANGELOG lists every changeSet above with the same checksum. Rows it has beyond them
     * (a newer release already migrated) are ignored, as Liquibase ignores them. False when the table is missing,
     * a changeSet is pending, or a checksum differs or was cleared: Liquibase then applies, upgrades or reports it.
     */
    public static boolean upToDate(Connection c) {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('databasechangelog') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return false;
            }
            Set<ChangeSet> applied = new HashSet<>();
            try (ResultSet rows = s.executeQuery("SELECT id, author, md5sum FROM databasechangelog WHERE filename = '"
                    + Migrations.CHANGELOG + "'")) {
                while (rows.next()) {
                    applied.add(new ChangeSet(rows.getString(1), rows.getString(2), rows.getString(3)));
                }
            }
            return applied.containsAll(CHANGELOG);
        } catch (SQLException e) {
            // Whatever went wrong, Liquibase's own run will meet it too and say so.
            return false;
        }
    }
}
