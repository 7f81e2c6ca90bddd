package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.http.Routes;

/**
 * SIGTERM with requests in flight: they complete, new connections are refused at once, the process exits within
 * 10 s, and every create that was answered 200 is in the table. The requests are held in flight by a table lock
 * the test takes, so "in flight" is certain rather than a matter of timing.
 */
class GracefulShutdownIT {
    private static final String V1 = Routes.V1;
    private static final int CREATES = 6;
    private static final int READS = 2;

    @RegisterExtension
    static final JarProcess.Launcher jar = new JarProcess.Launcher();

    @Test
    void sigtermLetsInFlightRequestsFinishRefusesNewConnectionsAndExitsWithin10s(@TempDir Path dir) throws Exception {
        String database = jar.env.createDatabase();
        Config config = TestConfigs.with(jar.config(database), "postgres.pool_size", CREATES + READS + 2);
        TestConfigs.write(dir, config);
        try (JarProcess service = jar.serve(dir, config.server().port(), Map.of()).awaitHealthy(Duration.ofSeconds(60));
             Connection locker = jar.env.connect(database)) {
            assertEquals(200, Http.send(create(service, "before")).statusCode());

            // Hold every statement on records until released: the requests below are then certainly in flight.
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE records IN ACCESS EXCLUSIVE MODE");
            }
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < CREATES; i++) {
                inFlight.add(Http.sendAsync(create(service, "inflight-" + i)));
            }
            for (int i = 0; i < READS; i++) {
                inFlight.add(Http.sendAsync(Http.request("GET", service.url(V1 + "/search/all"), null, null)));
            }
            // Creates arriving together are inserted together (CreateBatches): the first batch's one statement
            // waits on the lock and the other creates wait for it in the service, in flight all the same (sent
            // before the reads, which are at the database); each read has a statement of its own.
            awaitBlockedStatements(database, 1 + READS);

            service.terminate();
            long sigterm = System.nanoTime();
            Poll.until("new connections refused after SIGTERM", Duration.ofSeconds(5), () -> Ports.refuses(service.port()));
            UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> service.get(V1 + "/health"));
            assertInstanceOf(ConnectException.class, refused.getCause(), "new requests are refused");
            assertTrue(service.isAlive(), "still draining the requests in flight");
            assertFalse(inFlight.stream().anyMatch(CompletableFuture::isDone), "the requests are still held by the lock");

            locker.commit(); // release the lock: the in-flight requests complete
            Set<String> answered200 = new HashSet<>();
            for (int i = 0; i < inFlight.size(); i++) {
                HttpResponse<String> r = inFlight.get(i).get();
                assertEquals(200, r.statusCode(), "in-flight request " + i + " completed: " + r.body());
                if (i < CREATES) {
                    answered200.add("inflight-" + i);
                }
            }
            int exit = service.awaitExit(Duration.ofSeconds(10).minusNanos(System.nanoTime() - sigterm));
            long exitedAfterMs = Duration.ofNanos(System.nanoTime() - sigterm).toMillis();
            assertTrue(exitedAfterMs < 10_000, "exited " + exitedAfterMs + " ms after SIGTERM");
            assertEquals(143, exit, "terminated by SIGTERM (128 + 15)\n" + service.stderr());

            Set<String> stored = ids(database);
            assertTrue(stored.containsAll(answered200), "every create answered 200 is stored: " + stored);
            assertEquals(CREATES + 1, stored.size(), stored.toString());
            // The access log was flushed before exit: a line for every answered write and read, the drained ones too.
            long logged = service.stdout().lines().filter(l -> l.contains("\"status_code\": \"200\"")
                    && (l.contains("POST " + V1 + "/create") || l.contains("GET " + V1 + "/search/all"))).count();
            assertEquals(1 + CREATES + READS, logged, service.stdout());
        }
    }

    private static HttpRequest.Builder create(JarProcess service, String id) {
        return Http.request("POST", service.url(V1 + "/create"), "application/json",
                TestApp.record(id, "Shutdown", "Present", "2023-01-01"));
    }

    /** Waits until PostgreSQL shows n statements of the service waiting on the test's lock. */
    private static void awaitBlockedStatements(String database, int n) {
        String sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database
                + "' AND application_name = 'attendance-api' AND wait_event_type = 'Lock'";
        Poll.until(() -> n + " requests to reach the database; " + jar.env.count("postgres", sql) + " did",
                Duration.ofSeconds(20), () -> jar.env.count("postgres", sql) >= n ? Optional.of(true) : Optional.empty());
    }

    private static Set<String> ids(String database) {
        return new HashSet<>(jar.env.column(database, "SELECT id FROM records"));
    }
}
