package org.otmicroservices.attendance.db;

import java.util.concurrent.CompletableFuture;
import org.otmicroservices.attendance.cache.ResponseCache;
import org.otmicroservices.attendance.model.RecordInput;

/**
 * Every write of records, and the one place that invalidates the response cache: after each commit that changed
 * a row, and before the write is answered, whatever the route. A write that changed nothing (a duplicate id, an
 * unknown id, an import that only skipped) leaves the cache alone.
 */
public final class Writes implements AutoCloseable {
    private final AttendanceDao dao;
    private final BulkImport bulk;
    private final ResponseCache cache;
    private final CreateBatches creates;

    public Writes(AttendanceDao dao, BulkDao bulkDao, ResponseCache cache) {
        this.dao = dao;
        this.bulk = new BulkImport(bulkDao);
        this.cache = cache;
        this.creates = new CreateBatches(dao, this::committed);
    }

    /** Completes, on the batch writer's thread, once the row is committed (or refused). */
    public CompletableFuture<AttendanceDao.CreateOutcome> create(RecordInput record) {
        return creates.submit(record);
    }

    public AttendanceDao.UpdateOutcome update(RecordInput record) {
        AttendanceDao.UpdateOutcome outcome = dao.update(record);
        if (outcome == AttendanceDao.UpdateOutcome.UPDATED) {
            committed();
        }
        return outcome;
    }

    /** True if the id existed. */
    public boolean delete(String id) {
        boolean deleted = dao.delete(id);
        if (deleted) {
            committed();
        }
        return deleted;
    }

    /** Imports every row or none (BulkImport); throws ApiError naming the rows' problems or the existing ids. */
    public BulkDao.Counts importRows(byte[] body, BulkImport.Format format, BulkDao.OnConflict mode) {
        BulkDao.Counts counts = bulk.run(body, format, mode);
        if (counts.inserted() + counts.updated() > 0) {
            committed();
        }
        return counts;
    }

    private void committed() {
        cache.invalidate();
    }

    /** Stops the create writer; call it once no request can arrive any more. */
    @Override
    public void close() {
        creates.close();
    }
}
