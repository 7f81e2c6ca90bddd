package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaIndexesTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    @Test
    void changeSetTwoAddsTheFilterIndexesAndLeavesChangeSetOneAsItWas() {
        assertEquals(List.of("1|Abhishek Dubey", "2|attendance-api"),
                app.column("SELECT id || '|' || author FROM databasechangelog ORDER BY orderexecuted"));
        assertEquals(List.of(
                "CREATE INDEX records_date_status_idx ON public.records USING btree (date, status)",
                "CREATE INDEX records_status_date_idx ON public.records USING btree (status, date)"),
                app.column("SELECT indexdef FROM pg_indexes WHERE tablename = 'records' AND indexname <> 'records_pkey' ORDER BY indexname"));
    }

    @Test
    void theFiltersAndTheSummaryCanBeServedByAnIndex() {
        assertTrue(planWithoutSeqScan("SELECT * FROM records WHERE status = 'Present' AND date BETWEEN '2023-01-01' AND '2023-01-31'")
                .contains("records_status_date_idx"));
        assertTrue(planWithoutSeqScan("SELECT * FROM records WHERE date = '2023-01-01' ORDER BY id")
                .contains("records_date_status_idx"));
        String summary = planWithoutSeqScan("SELECT date, status, count(*) FROM records WHERE date BETWEEN '2023-01-01' AND '2023-01-31' GROUP BY date, status ORDER BY date, status");
        assertTrue(summary.contains("records_date_status_idx"), summary);
    }

    /** The plan PostgreSQL picks when it may not scan the table sequentially: shows which index can serve a query. */
    private static String planWithoutSeqScan(String sql) {
        StringBuilder plan = new StringBuilder();
        try (Connection c = app.env.connect(app.config.postgres().database()); Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            try (ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return plan.toString();
    }
}
