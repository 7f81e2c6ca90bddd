package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.zaxxer.hikari.HikariDataSource;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.db.AttendanceDao;
import org.otmicroservices.attendance.db.Database;
import org.otmicroservices.attendance.model.RecordInput;

/**
 * Creates inserted together (CreateBatches, AttendanceDao.createAll): every caller gets the outcome it would
 * have got alone, and exactly the created rows are stored.
 */
class CreateBatchesTest {
    @RegisterExtension
    static final TestApp app = new TestApp();
    @RegisterExtension
    static final TestApp fewThreads = new TestApp(c -> TestConfigs.with(c, "server.max_threads", 8));

    @BeforeEach
    void emptyTable() {
        app.reset();
    }

    private static RecordInput request(String id, String date) {
        return new RecordInput(id, "Name " + id, "Present", date);
    }

    @Test
    void oneStatementGivesEachCreateItsOwnOutcomeInOrder() {
        app.sql("INSERT INTO records VALUES ('taken', 'Old', 'Present', '2023-01-01')");
        try (HikariDataSource pool = Database.pool(app.config.postgres())) {
            AttendanceDao dao = new AttendanceDao(Jdbi.create(pool));
            List<AttendanceDao.CreateOutcome> outcomes = dao.createAll(List.of(
                    request("b", "2023-01-02"), request("taken", "2023-01-03"), request("a", "2023-01-04"),
                    request("b", "2023-01-05"), request("far", "10000-01-01"), request("c", "2023-01-06")));
            assertEquals(List.of(AttendanceDao.CreateOutcome.CREATED, AttendanceDao.CreateOutcome.DUPLICATE_ID,
                    AttendanceDao.CreateOutcome.CREATED, AttendanceDao.CreateOutcome.DUPLICATE_ID,
                    AttendanceDao.CreateOutcome.DATE_OUT_OF_RANGE, AttendanceDao.CreateOutcome.CREATED), outcomes);
            // The first of two equal ids in one batch wins, as if they had come one after the other.
            assertEquals(List.of(List.of("a", "Name a", "Present", "2023-01-04"), List.of("b", "Name b", "Present", "2023-01-02"),
                    List.of("c", "Name c", "Present", "2023-01-06"), List.of("taken", "Old", "Present", "2023-01-01")), app.rows());
        }
    }

    @Test
    void aDatePostgresCannotParseRefusesOnlyThatCreate() {
        try (HikariDataSource pool = Database.pool(app.config.postgres())) {
            AttendanceDao dao = new AttendanceDao(Jdbi.create(pool));
            List<AttendanceDao.CreateOutcome> outcomes = dao.createAll(List.of(
                    request("x", "2023-01-01"), request("bad", "2023-02-30"), request("y", "2023-01-02")));
            assertEquals(List.of(AttendanceDao.CreateOutcome.CREATED, AttendanceDao.CreateOutcome.INVALID_DATE,
                    AttendanceDao.CreateOutcome.CREATED), outcomes);
            assertEquals(List.of("x", "y"), app.rows().stream().map(r -> r.get(0)).toList());
        }
    }

    @Test
    void racingCreatesOfEveryKindEachGetTheirOwnAnswer() throws Exception {
        // 40 rounds of: 4 new ids, 4 racers for one id, a date PostgreSQL refuses, a date out of range.
        int rounds = 40;
        List<String[]> creates = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 4; i++) {
                creates.add(new String[] {"new-" + r + "-" + i, "2023-01-01", "200"});
                creates.add(new String[] {"race-" + r, "2023-01-01", "race"});
            }
            creates.add(new String[] {"bad-" + r, "2023-02-30", "400"});
            creates.add(new String[] {"far-" + r, "10000-01-01", "400"});
        }
        ExecutorService clients = Executors.newFixedThreadPool(32);
        Map<String, Integer> raceWins = new HashMap<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (String[] c : creates) {
                answers.add(clients.submit(() -> {
                    start.await();
                    return app.create(c[0], "Racer", "Present", c[1]);
                }));
            }
            start.countDown();
            for (int n = 0; n < creates.size(); n++) {
                String[] c = creates.get(n);
                HttpResponse<String> r = answers.get(n).get();
                if (c[2].equals("race")) {
                    assertEquals(r.statusCode() == 200 ? 200 : 409, r.statusCode(), c[0] + ": " + r.body());
                    raceWins.merge(c[0], r.statusCode() == 200 ? 1 : 0, Integer::sum);
                } else {
                    assertEquals(Integer.parseInt(c[2]), r.statusCode(), c[0] + ": " + r.body());
                }
            }
        } finally {
            clients.shutdownNow();
        }
        raceWins.forEach((id, wins) -> assertEquals(1, wins, id + ": exactly one racer wins"));
        assertEquals(rounds, raceWins.size());
        List<String> stored = app.rows().stream().map(row -> row.get(0)).sorted().toList();
        List<String> expected = creates.stream().filter(c -> !c[2].equals("400")).map(c -> c[0]).distinct().sorted().toList();
        assertEquals(expected, stored, "exactly the created rows are stored");
    }

    @Test
    void createsWaitingForTheDatabaseHoldNoRequestThread() throws Exception {
        // 8 is the smallest pool (acceptor and selector included): had each create held a thread while it
        // waited, 20 of them would leave none for anything else.
        int creates = 20;
        try (java.sql.Connection locker = fewThreads.env.connect(fewThreads.config.postgres().database())) {
            locker.setAutoCommit(false);
            try (java.sql.Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE records IN EXCLUSIVE MODE"); // holds every write, lets reads through
            }
            List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
            for (int i = 0; i < creates; i++) {
                waiting.add(Http.sendAsync(Http.request("POST", fewThreads.url("/api/v1/attendance/create"),
                        "application/json", TestApp.record("held-" + i, "Held", "Present", "2023-01-01"))));
            }
            Poll.until("the first create to wait for the lock", Duration.ofSeconds(10), () -> fewThreads.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name = 'attendance-api'") > 0);

            for (int i = 0; i < 3; i++) {
                HttpResponse<String> read = Http.sendAsync(Http.request("GET", fewThreads.url("/api/v1/attendance/search?id=held-0"),
                        null, null)).get(5, TimeUnit.SECONDS);
                assertEquals(404, read.statusCode(), "a read is answered while the creates wait: " + read.body());
            }
            assertFalse(waiting.stream().anyMatch(CompletableFuture::isDone), "the creates are still held by the lock");

            locker.commit();
            for (CompletableFuture<HttpResponse<String>> create : waiting) {
                assertEquals(200, create.get(10, TimeUnit.SECONDS).statusCode());
            }
        }
        assertEquals(creates, fewThreads.count("SELECT count(*) FROM records"));
    }
}
