package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Creates racing each other: the primary key decides, every request gets a definite answer, nothing is lost. */
class ConcurrentCreateTest {
    private static final int CLIENTS = 64;

    @RegisterExtension
    static final TestApp app = new TestApp(c -> TestConfigs.with(c, "postgres.pool_size", 8));

    @BeforeEach
    void emptyTable() {
        app.reset();
    }

    @Test
    void sixtyFourConcurrentCreatesOfOneIdGiveExactlyOne200And63Conflicts() throws Exception {
        Map<Integer, Integer> statuses = race(64, n -> "same");
        assertEquals(Map.of(200, 1, 409, 63), statuses);
        assertEquals(1, app.rows().size());
        assertEquals("same", app.rows().get(0).get(0));
    }

    @Test
    void twoThousandConcurrentCreatesOfDistinctIdsAreAllStored() throws Exception {
        Map<Integer, Integer> statuses = race(2000, n -> "id-" + n);
        assertEquals(Map.of(200, 2000), statuses);
        List<List<String>> rows = app.rows();
        assertEquals(2000, rows.size());
        assertEquals(2000, rows.stream().map(r -> r.get(0)).distinct().count());
    }

    /** Sends `count` creates from CLIENTS threads released together; returns how many got each status. */
    private static Map<Integer, Integer> race(int count, IntFunction<String> id) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                String recordId = id.apply(n);
                answers.add(clients.submit(() -> {
                    start.await();
                    return app.create(recordId, "Racer", "Present", "2023-01-01");
                }));
            }
            start.countDown();
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> r = answer.get();
                statuses.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() == 409) {
                    assertEquals("{\"error\":\"Conflict\",\"message\":\"An attendance record with id same already exists\"}\n", r.body());
                }
            }
            return statuses;
        } finally {
            clients.shutdownNow();
        }
    }
}
