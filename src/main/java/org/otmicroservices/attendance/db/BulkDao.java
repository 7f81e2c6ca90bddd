package org.otmicroservices.attendance.db;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.otmicroservices.attendance.model.RecordInput;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The SQL of bulk imports. Rows are streamed with COPY into a temporary table, checked there with set-based
 * queries (PostgreSQL parses the dates, as for create), then merged into records: all in one transaction.
 */
public final class BulkDao {
    private static final int COPY_CHUNK_BYTES = 64 * 1024;

    public enum OnConflict { ERROR, SKIP, UPDATE }

    public record Counts(long inserted, long updated, long skipped) {}

    /** A row whose id an earlier row of the same import already has. */
    record Repeat(long row, String id, long firstRow) {}

    /** A row whose date PostgreSQL rejects (unparsable) or that lies outside 0001-01-01..9999-12-31. */
    record BadDate(long row, boolean unparsable) {}

    /** A row whose id is already in records; total counts every such row, not just those listed. */
    record Existing(long row, String id, long total) {}

    private final Jdbi jdbi;

    public BulkDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Runs work in one transaction with an empty staging table; an exception from work rolls everything back. */
    <T> T inTransaction(Function<Staging, T> work) {
        return jdbi.inTransaction(h -> {
            h.execute("""
                    CREATE TEMPORARY TABLE bulk_rows (
                        n bigint NOT NULL, id text NOT NULL, name text NOT NULL, status text NOT NULL, date text NOT NULL
                    ) ON COMMIT DROP""");
            Staging staging = new Staging(h);
            try {
                return work.apply(staging);
            } finally {
                staging.cancelCopy();
            }
        });
    }

    /** The staging table of one import, bound to its transaction's handle. */
    static final class Staging {
        private final Handle h;
        private final ByteArrayOutputStream chunk = new ByteArrayOutputStream(COPY_CHUNK_BYTES + 4096);
        private final StringBuilder line = new StringBuilder(256);
        private CopyIn copy;
        private long rows;

        private Staging(Handle h) {
            this.h = h;
        }

        /** Queues a validated row (row: its 1-based number in the request) for COPY. */
        void add(long row, RecordInput r) {
            line.setLength(0);
            line.append(row);
            for (String value : new String[] {r.id(), r.name(), r.status(), r.date()}) {
                line.append('\t');
                appendEscaped(value);
            }
            line.append('\n');
            byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
            chunk.write(bytes, 0, bytes.length);
            rows++;
            if (chunk.size() >= COPY_CHUNK_BYTES) {
                flush();
            }
        }

        /** Ends the COPY and returns the number of staged rows; call before any check. */
        long finish() {
            if (chunk.size() > 0) {
                flush();
            }
            if (copy != null) {
                try {
                    copy.endCopy();
                } catch (SQLException e) {
                    throw new IllegalStateException("COPY into the staging table failed", e);
                }
                copy = null;
                h.execute("ANALYZE bulk_rows"); // a temporary table has no statistics: plan the joins on real counts
            }
            return rows;
        }

        List<Repeat> repeatedIds(int limit) {
            return h.createQuery("""
                            SELECT n, id, first_n FROM (
                                SELECT n, id, min(n) OVER (PARTITION BY id) AS first_n FROM bulk_rows) t
                            WHERE n <> first_n ORDER BY n LIMIT :limit""")
                    .bind("limit", limit)
                    .map((rs, ctx) -> new Repeat(rs.getLong("n"), rs.getString("id"), rs.getLong("first_n")))
                    .list();
        }

        /**
         * One set-based cast finds dates out of range; if a date does not parse at all, that cast fails, and a
         * row-by-row cast that catches the error (slower, so only then) names every such row.
         */
        List<BadDate> badDates(int limit) {
            h.savepoint("bulk_dates");
            try {
                List<BadDate> outOfRange = h.createQuery(
                                "SELECT n FROM bulk_rows WHERE CAST(date AS date) NOT " + AttendanceDao.IN_RANGE + " ORDER BY n LIMIT :limit")
                        .bind("limit", limit)
                        .map((rs, ctx) -> new BadDate(rs.getLong("n"), false))
                        .list();
                h.releaseSavepoint("bulk_dates");
                return outOfRange;
            } catch (JdbiException e) {
                if (!AttendanceDao.isDataException(e)) {
                    throw e;
                }
                h.rollbackToSavepoint("bulk_dates");
            }
            h.execute("""
                    CREATE OR REPLACE FUNCTION pg_temp.bulk_try_date(t text) RETURNS date LANGUAGE plpgsql AS $$
                    BEGIN
                        RETURN CAST(t AS date);
                    EXCEPTION WHEN data_exception THEN
                        RETURN NULL;
                    END $$""");
            return h.createQuery("""
                            SELECT n, d IS NULL AS unparsable FROM (
                                SELECT n, pg_temp.bulk_try_date(date) AS d FROM bulk_rows) t
                            WHERE d IS NULL OR d NOT\s""" + AttendanceDao.IN_RANGE + " ORDER BY n LIMIT :limit")
                    .bind("limit", limit)
                    .map((rs, ctx) -> new BadDate(rs.getLong("n"), rs.getBoolean("unparsable")))
                    .list();
        }

        List<Existing> existingIds(int limit) {
            return h.createQuery("""
                            SELECT b.n, b.id, count(*) OVER () AS total
                            FROM bulk_rows b JOIN records r ON r.id = b.id
                            ORDER BY b.n LIMIT :limit""")
                    .bind("limit", limit)
                    .map((rs, ctx) -> new Existing(rs.getLong("n"), rs.getString("id"), rs.getLong("total")))
                    .list();
        }

        /** Moves the staged rows into records. Under ERROR a concurrent create of the same id fails with 23505. */
        Counts merge(OnConflict mode) {
            String insert = "INSERT INTO records (id, name, status, date) SELECT id, name, status, CAST(date AS date) FROM bulk_rows";
            return switch (mode) {
                case ERROR -> new Counts(h.createUpdate(insert).execute(), 0, 0);
                case SKIP -> {
                    long inserted = h.createUpdate(insert + " ON CONFLICT (id) DO NOTHING").execute();
                    yield new Counts(inserted, 0, rows - inserted);
                }
                // xmax is 0 on a freshly inserted row version and set on one that replaced a conflicting row.
                case UPDATE -> h.createQuery("WITH merged AS (" + insert + """
                                 ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, date = EXCLUDED.date
                                RETURNING xmax = 0 AS inserted)
                                SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated
                                FROM merged""")
                        .map((rs, ctx) -> new Counts(rs.getLong("inserted"), rs.getLong("updated"), 0))
                        .one();
            };
        }

        private void flush() {
            try {
                if (copy == null) {
                    copy = h.getConnection().unwrap(PGConnection.class).getCopyAPI()
                            .copyIn("COPY bulk_rows (n, id, name, status, date) FROM STDIN");
                }
                copy.writeToCopy(chunk.toByteArray(), 0, chunk.size());
            } catch (SQLException e) {
                throw new IllegalStateException("COPY into the staging table failed", e);
            }
            chunk.reset();
        }

        /** COPY's text format: backslash escapes for the characters it treats as delimiters. */
        private void appendEscaped(String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\\' -> line.append("\\\\");
                    case '\n' -> line.append("\\n");
                    case '\r' -> line.append("\\r");
                    case '\t' -> line.append("\\t");
                    default -> line.append(c);
                }
            }
        }

        /** A COPY left open (work failed mid-stream) would make the rollback fail: end it first. */
        private void cancelCopy() {
            if (copy != null && copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException e) {
                    // the rollback that follows reports the connection's state
                }
            }
        }
    }
}
