package org.otmicroservices.attendance.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.otmicroservices.attendance.model.AttendanceRecord;
import org.otmicroservices.attendance.model.RecordInput;
import org.otmicroservices.attendance.model.RecordQuery;

/** All SQL of the service, with bound parameters only. */
public final class AttendanceDao {
    /** Python's date.min/max: Flask read PostgreSQL's -infinity/infinity back as these. */
    private static final LocalDate FIRST_DAY = LocalDate.of(1, 1, 1);
    private static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);
    private static final RowMapper<AttendanceRecord> RECORD = AttendanceDao::mapRecord;
    /** The dates Flask could read back (Python's date range); create, update and bulk refuse any other. */
    static final String IN_RANGE = "BETWEEN DATE '0001-01-01' AND DATE '9999-12-31'";

    private final Jdbi jdbi;

    public AttendanceDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public enum CreateOutcome { CREATED, DUPLICATE_ID, DATE_OUT_OF_RANGE, INVALID_DATE }

    /**
     * Inserts several creates with one statement and one commit, outcomes in the order given. PostgreSQL parses
     * the dates as it did for Flask; dates outside 0001..9999 (which Flask could not read back) are refused
     * rather than stored. Within the list the first of two equal ids wins, as if they had come one after the
     * other. A date PostgreSQL cannot parse fails the whole statement (SQLState class 22, and only the date is
     * cast): then each create runs alone, so only that one is refused.
     */
    public List<CreateOutcome> createAll(List<RecordInput> requests) {
        List<CreateOutcome> outcomes = withConnection(connection -> {
            try {
                return insertAll(connection, requests);
            } catch (SQLException e) {
                if (isDataException(e)) {
                    return null;
                }
                throw e;
            }
        });
        if (outcomes != null) {
            return outcomes;
        }
        if (requests.size() == 1) {
            return List.of(CreateOutcome.INVALID_DATE);
        }
        return requests.stream().flatMap(r -> createAll(List.of(r)).stream()).toList();
    }

    private static List<CreateOutcome> insertAll(Connection connection, List<RecordInput> requests) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT_ALL)) {
            insert.setArray(1, connection.createArrayOf("text", requests.stream().map(RecordInput::id).toArray()));
            insert.setArray(2, connection.createArrayOf("text", requests.stream().map(RecordInput::name).toArray()));
            insert.setArray(3, connection.createArrayOf("text", requests.stream().map(RecordInput::status).toArray()));
            insert.setArray(4, connection.createArrayOf("text", requests.stream().map(RecordInput::date).toArray()));
            List<CreateOutcome> outcomes = new ArrayList<>(requests.size());
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    outcomes.add(!rs.getBoolean(1) ? CreateOutcome.DATE_OUT_OF_RANGE
                            : rs.getBoolean(2) ? CreateOutcome.CREATED : CreateOutcome.DUPLICATE_ID);
                }
            }
            return outcomes;
        }
    }

    private static final String INSERT_ALL = """
            WITH input AS (
                SELECT n, id, name, status, CAST(date AS date) AS d
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS t(id, name, status, date, n)),
            candidates AS (
                SELECT DISTINCT ON (id) n, id, name, status, d FROM input
                WHERE d %1$s
                ORDER BY id, n),
            inserted AS (
                INSERT INTO records (id, name, status, date)
                SELECT id, name, status, d FROM candidates
                ON CONFLICT (id) DO NOTHING
                RETURNING id)
            SELECT input.d %1$s,
                   EXISTS (SELECT 1 FROM inserted JOIN candidates USING (id) WHERE candidates.n = input.n)
            FROM input ORDER BY input.n""".formatted(IN_RANGE);

    /** SQLState class 22, data exception: what PostgreSQL raises for a date it cannot parse. */
    static boolean isDataException(JdbiException e) {
        return e.getCause() instanceof SQLException s && isDataException(s);
    }

    private static boolean isDataException(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("22");
    }

    public Optional<AttendanceRecord> find(String id) {
        return withConnection(connection -> {
            try (PreparedStatement find = connection.prepareStatement("SELECT id, name, status, date FROM records WHERE id = ?")) {
                find.setString(1, id);
                try (ResultSet rs = find.executeQuery()) {
                    return rs.next() ? Optional.of(mapRecord(rs, null)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Plain JDBC on a pooled connection, for the statements every create and uncached search runs: Jdbi's
     * statement machinery (argument factories, result iterators, statement context) cost several times the
     * driver's own work there (docs/PERFORMANCE.md). A failure keeps its SQLException as the cause, which ErrorMapper reads.
     */
    private <T> T withConnection(JdbcWork<T> work) {
        try {
            return jdbi.withHandle(h -> work.apply(h.getConnection()));
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL: " + e.getMessage(), e);
        }
    }

    private interface JdbcWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    public enum UpdateOutcome { UPDATED, NOT_FOUND, DATE_OUT_OF_RANGE, INVALID_DATE }

    /** Replaces name, status and date of an existing id; the date is parsed and range-checked as in create. */
    UpdateOutcome update(RecordInput r) {
        try {
            return jdbi.withHandle(h -> h.createQuery(UPDATE)
                    .bind("id", r.id()).bind("name", r.name()).bind("status", r.status()).bind("date", r.date())
                    .map((rs, ctx) -> !rs.getBoolean("in_range") ? UpdateOutcome.DATE_OUT_OF_RANGE
                            : rs.getBoolean("updated") ? UpdateOutcome.UPDATED : UpdateOutcome.NOT_FOUND)
                    .one());
        } catch (JdbiException e) {
            if (isDataException(e)) {
                return UpdateOutcome.INVALID_DATE;
            }
            throw e;
        }
    }

    private static final String UPDATE = """
            WITH input AS (SELECT CAST(:date AS date) AS d),
            updated AS (
                UPDATE records SET name = :name, status = :status, date = input.d
                FROM input
                WHERE id = :id AND input.d %1$s
                RETURNING 1)
            SELECT (SELECT d %1$s FROM input) AS in_range,
                   EXISTS (SELECT 1 FROM updated) AS updated""".formatted(IN_RANGE);

    /** True if the id existed. */
    boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM records WHERE id = :id").bind("id", id).execute()) > 0;
    }

    /**
     * At most limit records matching the filter with an id after the given one (null: from the start), in id
     * order. Keyset paging compares ids with the column's collation, the same order ORDER BY id uses.
     */
    public List<AttendanceRecord> page(RecordQuery.Filter filter, String after, int limit) {
        Map<String, Object> params = new HashMap<>();
        String sql = "SELECT id, name, status, date FROM records" + where(filter, after, params) + " ORDER BY id LIMIT :limit";
        params.put("limit", limit);
        return jdbi.withHandle(h -> h.createQuery(sql).bindMap(params).map(RECORD).list());
    }

    /**
     * Streams the records matching the filter (after the given id, if any) in id order (the database's collation,
     * as Flask returned them) without holding them all.
     */
    public void forEachRecord(RecordQuery.Filter filter, String after, Consumer<AttendanceRecord> consumer) {
        Map<String, Object> params = new HashMap<>();
        String sql = "SELECT id, name, status, date FROM records" + where(filter, after, params) + " ORDER BY id";
        // PostgreSQL only honours the fetch size inside a transaction; otherwise it sends every row at once.
        jdbi.useTransaction(h -> h.createQuery(sql).bindMap(params)
                .setFetchSize(1000)
                .map(RECORD)
                .forEach(consumer));
    }

    /** Records per date and status in [from, to] (null: unbounded), finite dates only, ordered by date then status. */
    public List<DailySummary> dailySummary(LocalDate from, LocalDate to) {
        List<DailySummary> days = new ArrayList<>();
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT date, status, count(*) AS n FROM records
                        WHERE date BETWEEN :from AND :to
                        GROUP BY date, status
                        ORDER BY date, status""")
                .bind("from", from == null ? FIRST_DAY : from)
                .bind("to", to == null ? LAST_DAY : to)
                .map((rs, ctx) -> new StatusCount(rs.getObject("date", LocalDate.class), rs.getString("status"), rs.getLong("n")))
                .forEach(row -> {
                    if (days.isEmpty() || !days.get(days.size() - 1).date().equals(row.date())) {
                        days.add(new DailySummary(row.date(), new LinkedHashMap<>()));
                    }
                    // A NULL status (possible in rows written by other tools) is counted under "".
                    days.get(days.size() - 1).byStatus().merge(row.status() == null ? "" : row.status(), row.n(), Long::sum);
                }));
        return days;
    }

    private record StatusCount(LocalDate date, String status, long n) {}

    /** One day of the summary: records per status, in the database's order of statuses. */
    public record DailySummary(LocalDate date, Map<String, Long> byStatus) {
        public long total() {
            return byStatus.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The WHERE clause of a filter; only fixed SQL text is added, every value goes into params. */
    private static String where(RecordQuery.Filter f, String after, Map<String, Object> params) {
        List<String> conditions = new ArrayList<>();
        condition(conditions, params, "status = :status", "status", f.status());
        condition(conditions, params, "date = :date", "date", f.date());
        condition(conditions, params, "date >= :from", "from", f.from());
        condition(conditions, params, "date <= :to", "to", f.to());
        // LIKE's default escape character is the backslash.
        condition(conditions, params, "name ILIKE :name", "name", f.name() == null ? null
                : "%" + f.name().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        condition(conditions, params, "id > :after", "after", after);
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    /** Adds the condition with its parameter when the value is given (not null). */
    private static void condition(List<String> conditions, Map<String, Object> params, String sql, String name, Object value) {
        if (value != null) {
            conditions.add(sql);
            params.put(name, value);
        }
    }

    /**
     * The health check's round trip, in plain JDBC: the first request after a start is a health probe, and Jdbi's
     * first query (its mapper lookup) added ~0.1-0.3 s to it (docs/PERFORMANCE.md).
     */
    public void ping() {
        withConnection(connection -> {
            try (Statement select = connection.createStatement()) {
                return select.execute("SELECT 1");
            }
        });
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
