package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SIGTERM with requests in flight: they complete, new connections are refused at once, the process exits within
 * 10 s, and every create that was answered 200 is in the table. The requests are held in flight by a table lock
 * the test takes, so "in flight" is certain rather than a matter of timing.
 */
class GracefulShutdownIT {
    private static final String V1 = AttendanceApi.V1;
    private static final int CREATES = 6;
    private static final int READS = 2;

    static TestEnv env;

    @RegisterExtension
    static final BeforeAllCallback testEnv = context -> env = TestEnv.get(context);

    @Test
    void sigtermLetsInFlightRequestsFinishRefusesNewConnectionsAndExitsWithin10s() throws Exception {
        String database = env.createDatabase();
        Config config = TestConfigs.poolSize(env.config(database, env.newKeyPrefix()), CREATES + READS + 2);
        try (ServiceProcess service = ServiceProcess.start(config, Map.of()).awaitHealthy(Duration.ofSeconds(60));
             Connection locker = env.connect(database)) {
            assertEquals(200, service.send(create(service, "before")).statusCode());

            // Hold every statement on records until released: the requests below are then certainly in flight.
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE records IN ACCESS EXCLUSIVE MODE");
            }
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < CREATES; i++) {
                inFlight.add(sendAsync(service, create(service, "inflight-" + i)));
            }
            for (int i = 0; i < READS; i++) {
                inFlight.add(sendAsync(service, HttpRequest.newBuilder(service.uri(V1 + "/search/all")).GET()));
            }
            awaitBlockedStatements(database, CREATES + READS);

            service.terminate();
            long sigterm = System.nanoTime();
            awaitConnectionsRefused(service.port, Duration.ofSeconds(5));
            assertThrows(ConnectException.class, () -> service.get(V1 + "/health"), "new requests are refused");
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

    private static HttpRequest.Builder create(ServiceProcess service, String id) {
        return HttpRequest.newBuilder(service.uri(V1 + "/create"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"" + id + "\",\"name\":\"Shutdown\",\"status\":\"Present\",\"date\":\"2023-01-01\"}"));
    }

    private static CompletableFuture<HttpResponse<String>> sendAsync(ServiceProcess service, HttpRequest.Builder request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return service.send(request);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits until PostgreSQL shows n statements of the service waiting on the test's lock. */
    private static void awaitBlockedStatements(String database, int n) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int blocked = 0;
        while (System.nanoTime() < deadline) {
            try (Connection c = env.connect("postgres"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database
                         + "' AND application_name = 'attendance-api' AND wait_event_type = 'Lock'")) {
                rs.next();
                blocked = rs.getInt(1);
            }
            if (blocked >= n) {
                return;
            }
            ServiceProcess.sleep(50);
        }
        fail("only " + blocked + " of " + n + " requests reached the database");
    }

    private static void awaitConnectionsRefused(int port, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            } catch (ConnectException e) {
                return;
            } catch (IOException e) {
                // a time-out is not a refusal: keep trying
            }
            ServiceProcess.sleep(50);
        }
        fail("new connections were still accepted " + within + " after SIGTERM");
    }

    private static Set<String> ids(String database) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = env.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM records")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
