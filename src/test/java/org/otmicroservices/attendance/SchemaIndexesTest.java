package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaIndexesTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    @Test
    void changeSetTwoAddsTheFilterIndexesAndLeavesChangeSetOneAsItWas() {
        assertEquals(List.of("1|Abhishek Dubey", "2|attendance-api"),
                Scalars.column(app, "SELECT id || '|' || author FROM databasechangelog ORDER BY orderexecuted"));
        assertEquals(List.of(
                "CREATE INDEX records_date_status_idx ON public.records USING btree (date, status)",
                "CREATE INDEX records_status_date_idx ON public.records USING btree (status, date)"),
                Scalars.column(app, "SELECT indexdef FROM pg_indexes WHERE tablename = 'records' AND indexname <> 'records_pkey' ORDER BY indexname"));
    }

    @Test
    void theFiltersAndTheSummaryCanBeServedByAnIndex() {
        assertTrue(Scalars.planWithoutSeqScan(app, "SELECT * FROM records WHERE status = 'Present' AND date BETWEEN '2023-01-01' AND '2023-01-31'")
                .contains("records_status_date_idx"));
        assertTrue(Scalars.planWithoutSeqScan(app, "SELECT * FROM records WHERE date = '2023-01-01' ORDER BY id")
                .contains("records_date_status_idx"));
        String summary = Scalars.planWithoutSeqScan(app,
                "SELECT date, status, count(*) FROM records WHERE date BETWEEN '2023-01-01' AND '2023-01-31' GROUP BY date, status ORDER BY date, status");
        assertTrue(summary.contains("records_date_status_idx"), summary);
    }
}
