package org.otmicroservices.attendance;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** All SQL of the service, with bound parameters only. */
final class AttendanceDao {
    /** Python's date.min/max: Flask read PostgreSQL's -infinity/infinity back as these. */
    private static final LocalDate FIRST_DAY = LocalDate.of(1, 1, 1);
    private static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);
    private static final RowMapper<AttendanceRecord> RECORD = AttendanceDao::mapRecord;

    private final Jdbi jdbi;

    AttendanceDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    enum CreateOutcome { CREATED, DUPLICATE_ID, DATE_OUT_OF_RANGE, INVALID_DATE }

    /**
     * Inserts in one round trip. PostgreSQL parses the date as it did for Flask; a date it cannot parse raises
     * SQLState class 22, which the caller maps to a 400. Dates outside 0001..9999 (which Flask could not read
     * back) are refused rather than stored.
     */
    CreateOutcome create(CreateRequest r) {
        try {
            return insert(r);
        } catch (JdbiException e) {
            if (e.getCause() instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("22")) {
                return CreateOutcome.INVALID_DATE; // class 22, data exception: only the date is cast
            }
            throw e;
        }
    }

    private CreateOutcome insert(CreateRequest r) {
        return jdbi.withHandle(h -> h.createQuery("""
                        WITH input AS (SELECT CAST(:date AS date) AS d),
                        inserted AS (
                            INSERT INTO records (id, name, status, date)
                            SELECT :id, :name, :status, d FROM input
                            WHERE d BETWEEN DATE '0001-01-01' AND DATE '9999-12-31'
                            ON CONFLICT (id) DO NOTHING
                            RETURNING 1)
                        SELECT (SELECT d BETWEEN DATE '0001-01-01' AND DATE '9999-12-31' FROM input) AS in_range,
                               EXISTS (SELECT 1 FROM inserted) AS inserted""")
                .bind("id", r.id()).bind("name", r.name()).bind("status", r.status()).bind("date", r.date())
                .map((rs, ctx) -> !rs.getBoolean("in_range") ? CreateOutcome.DATE_OUT_OF_RANGE
                        : rs.getBoolean("inserted") ? CreateOutcome.CREATED : CreateOutcome.DUPLICATE_ID)
                .one());
    }

    Optional<AttendanceRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name, status, date FROM records WHERE id = :id")
                .bind("id", id).map(RECORD).findOne());
    }

    /** Streams every record in id order (the database's collation, as Flask returned them) without holding them all. */
    void forEachRecord(Consumer<AttendanceRecord> consumer) {
        // PostgreSQL only honours the fetch size inside a transaction; otherwise it sends every row at once.
        jdbi.useTransaction(h -> h.createQuery("SELECT id, name, status, date FROM records ORDER BY id")
                .setFetchSize(1000)
                .map(RECORD)
                .forEach(consumer));
    }

    void ping() {
        jdbi.useHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
    }

    private static AttendanceRecord mapRecord(ResultSet rs, StatementContext ctx) throws SQLException {
        LocalDate date = rs.getObject("date", LocalDate.class);
        if (date != null && date.isBefore(FIRST_DAY)) {
            date = FIRST_DAY;
        } else if (date != null && date.isAfter(LAST_DAY)) {
            date = LAST_DAY;
        }
        return new AttendanceRecord(rs.getString("id"), rs.getString("name"), rs.getString("status"), date);
    }
}
