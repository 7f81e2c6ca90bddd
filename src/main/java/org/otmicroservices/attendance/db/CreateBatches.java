package org.otmicroservices.attendance.db;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.otmicroservices.attendance.model.RecordInput;

/**
 * Creates arriving together are inserted together: one statement, one commit and one cache invalidation for all
 * the creates that queued while the previous batch was stored (group commit in the service; docs/PERFORMANCE.md
 * has the measurements). A lone create is a batch of one. Each create's outcome completes only after its row is
 * committed and afterCommit has run; a failure of the batch is every create's failure, and nothing of the batch
 * is stored.
 *
 * One thread stores the batches, one after the other, and completes the outcomes itself, which answers the
 * requests on that thread. The request threads hand their create over and are free again: with a thread
 * blocked per create, waking those threads (and the one leading the next batch) cost more than the inserts.
 */
final class CreateBatches implements AutoCloseable {
    private final AttendanceDao dao;
    private final Runnable afterCommit;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer = new Thread(this::storeBatches, "create-batches");

    private record Pending(RecordInput request, CompletableFuture<AttendanceDao.CreateOutcome> outcome) {}

    /** afterCommit: run on the writer thread after a batch that created a row, before its creates are answered. */
    CreateBatches(AttendanceDao dao, Runnable afterCommit) {
        this.dao = dao;
        this.afterCommit = afterCommit;
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues the create; the outcome completes, on the writer thread, once the row is committed (or refused). */
    CompletableFuture<AttendanceDao.CreateOutcome> submit(RecordInput request) {
        CompletableFuture<AttendanceDao.CreateOutcome> outcome = new CompletableFuture<>();
        queue.add(new Pending(request, outcome));
        return outcome;
    }

    private void storeBatches() {
        try {
            while (true) {
                List<Pending> batch = new ArrayList<>();
                batch.add(queue.take());
                queue.drainTo(batch);
                store(batch);
            }
        } catch (InterruptedException e) {
            // closed: every request was answered before (the HTTP server drains its connections first)
        }
    }

    private void store(List<Pending> batch) {
        List<AttendanceDao.CreateOutcome> outcomes;
        try {
            outcomes = dao.createAll(batch.stream().map(Pending::request).toList());
            if (outcomes.contains(AttendanceDao.CreateOutcome.CREATED)) {
                afterCommit.run();
            }
        } catch (RuntimeException | Error e) {
            // Every create of the batch gets the failure as its answer, and the thread stays to store the next.
            batch.forEach(p -> p.outcome.completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).outcome.complete(outcomes.get(i));
        }
    }

    /** Stops the writer thread; call it once no create can arrive any more. */
    @Override
    public void close() {
        writer.interrupt();
    }
}
