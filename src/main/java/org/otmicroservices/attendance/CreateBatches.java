package org.otmicroservices.attendance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Creates arriving together are inserted together: one statement, one commit and one cache invalidation for all
 * the requests waiting while the previous batch ran (group commit in the service; issue 7). A lone create is a
 * batch of one. Each caller gets its own outcome only after its row is committed and the cache invalidated, as
 * before; a failure of the batch is every caller's failure, and nothing of the batch is stored.
 *
 * No extra thread: the caller that finds no batch running leads one (its own and every create waiting), then
 * hands the lead to the oldest create that arrived meanwhile, so no caller serves others' batches after its own.
 */
final class CreateBatches {
    private final AttendanceDao dao;
    private final ResponseCache cache;
    private final Object lock = new Object();
    private List<Pending> waiting = new ArrayList<>(); // guarded by lock
    private boolean running; // guarded by lock: a leader is at work

    /** One create; wake completes with true when its caller must lead the next batch, false once it is done. */
    private static final class Pending {
        final CreateRequest request;
        final CompletableFuture<Boolean> wake = new CompletableFuture<>();
        AttendanceDao.CreateOutcome outcome; // written before wake completes, or by the caller itself
        RuntimeException failure;

        Pending(CreateRequest request) {
            this.request = request;
        }
    }

    CreateBatches(AttendanceDao dao, ResponseCache cache) {
        this.dao = dao;
        this.cache = cache;
    }

    /** Inserts the record; returns after it is committed and (if created) every instance's cache invalidated. */
    AttendanceDao.CreateOutcome create(CreateRequest request) {
        Pending mine = new Pending(request);
        boolean lead;
        synchronized (lock) {
            waiting.add(mine);
            lead = !running;
            running = true;
        }
        if (lead || mine.wake.join()) {
            List<Pending> batch;
            synchronized (lock) {
                batch = waiting;
                waiting = new ArrayList<>();
            }
            try {
                run(batch);
            } finally {
                // Whatever happened, nobody of this batch waits on, and the next batch gets a leader.
                batch.forEach(p -> p.wake.complete(false));
                synchronized (lock) {
                    if (waiting.isEmpty()) {
                        running = false;
                    } else {
                        waiting.get(0).wake.complete(true);
                    }
                }
            }
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.outcome;
    }

    private void run(List<Pending> batch) {
        RuntimeException failure = new IllegalStateException("the create batch did not complete");
        try {
            List<AttendanceDao.CreateOutcome> outcomes = dao.createAll(batch.stream().map(p -> p.request).toList());
            if (outcomes.contains(AttendanceDao.CreateOutcome.CREATED)) {
                cache.invalidate();
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).outcome = outcomes.get(i);
            }
            failure = null;
        } catch (RuntimeException e) {
            failure = e; // every caller's answer, the leader's included
        } finally {
            if (failure != null) {
                for (Pending p : batch) {
                    p.failure = failure;
                }
            }
        }
    }
}
