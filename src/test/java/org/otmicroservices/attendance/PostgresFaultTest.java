package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.http.HealthController;
import org.otmicroservices.attendance.http.Routes;

/**
 * PostgreSQL cut (refused) and black-holed while requests run, through a FaultProxy: every request answers in
 * bounded time with JSON (data routes 503, health routes 400 with Flask's bodies), and the service
 * recovers by itself. Small pool time-outs keep the test fast; the bounds scale with them.
 */
class PostgresFaultTest {
    private static final int CONNECT_TIMEOUT_MS = 1000;
    private static final int STATEMENT_TIMEOUT_MS = 1000;
    /** Database.pool: the statement timeout rounded up to seconds, plus 2 s. */
    private static final int SOCKET_TIMEOUT_MS = 3000;
    private static final String V1 = Routes.V1;

    static FaultProxy proxy;

    @RegisterExtension
    static final TestApp app = new TestApp(c -> {
        proxy = FaultProxy.to(c.postgres().hosts().get(0).host(), c.postgres().hosts().get(0).port());
        // Cache off: during the outage every read must reach PostgreSQL rather than a cached copy.
        return TestConfigs.with(c, "postgres.host", proxy.host(), "postgres.port", proxy.port(), "postgres.pool_size", 4,
                "postgres.connect_timeout_ms", CONNECT_TIMEOUT_MS, "postgres.statement_timeout_ms", STATEMENT_TIMEOUT_MS,
                "cache.ttl_seconds", 0);
    });

    @AfterAll
    static void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void healthyAndEmpty() {
        proxy.pass();
        awaitHealthy(Duration.ofSeconds(10));
        app.reset();
        assertEquals(200, app.create("seed", "Seed", "Present", "2023-01-01").statusCode());
    }

    @Test
    void postgresCutWhileRequestsRunAnswersJson503WithinTheConnectionTimeoutAndRecoversWithin5s() {
        // Refused: the pool notices at once or after its connection timeout.
        outage(proxy::refuse, CONNECT_TIMEOUT_MS + 2000);
        // A create refused 503 well after the cut never reached PostgreSQL. (Under a black hole it may have: its
        // bytes are held, and delivered when the partition heals.)
        assertFalse(app.column("SELECT id FROM records").contains("during"), "the create answered 503 stored nothing");
    }

    @Test
    void postgresBlackHoledWhileRequestsRunAnswersJson503WithinTheSocketTimeoutAndRecoversWithin5s() {
        // A hung server: a request already on a connection waits out the socket timeout; the rest the pool timeout.
        outage(proxy::blackhole, SOCKET_TIMEOUT_MS + CONNECT_TIMEOUT_MS + 1000);
    }

    private void outage(Runnable fault, long boundMs) {
        Load load = new Load(4);
        try {
            load.awaitCompleted(8);
            fault.run();
            long cut = System.nanoTime();
            // Long enough for requests on live connections, on the pool, and on new connections to all fail.
            load.awaitCompleted(load.completed() + 6);
            sleepUntil(cut + Duration.ofMillis(SOCKET_TIMEOUT_MS + 500).toNanos());
            assertOutageAnswers();
            long restored = System.nanoTime();
            proxy.pass();

            long healthyAt = awaitHealthy(Duration.ofSeconds(10));
            long recoveryMs = Duration.ofNanos(healthyAt - restored).toMillis();
            assertTrue(recoveryMs <= 5000, "health was 200 again " + recoveryMs + " ms after PostgreSQL came back");
            load.awaitCompletedAfter(healthyAt, 10);
            load.stop();

            List<Outcome> outcomes = load.outcomes();
            for (Outcome o : outcomes) {
                assertNull(o.failure, () -> o + ": no answer");
                assertTrue(o.millis() <= boundMs, () -> o + ": took longer than " + boundMs + " ms");
                assertEquals("application/json", o.contentType, () -> o + ": not JSON");
                JsonNode body = TestJson.parse(o.body);
                Leaks.assertNone(o.body, null, app.config);
                boolean health = o.route.contains("health");
                if (health) {
                    assertTrue(o.status == 200 || o.status == 400, () -> o + ": health answers 200 or 400");
                    if (o.status == 400) {
                        assertEquals(HealthController.UNHEALTHY, body.get("message").asText(), o::toString);
                    }
                } else {
                    assertTrue(o.status == 200 || o.status == 503, () -> o + ": data routes answer 200 or 503");
                    if (o.status == 503) {
                        assertEquals("Service Unavailable", body.get("error").asText(), o::toString);
                    }
                }
                // Wholly inside the outage: the failure answer, never a success or a 500 (health may answer from
                // a check up to MAX_CHECK_AGE old).
                long outageSeen = health ? cut + HealthController.MAX_CHECK_AGE.toNanos() : cut;
                if (o.start > outageSeen && o.end < restored) {
                    assertEquals(health ? 400 : 503, o.status, () -> o + ": during the outage");
                    if (o.route.endsWith("detail")) {
                        assertEquals("down", body.get("postgresql").asText(), o::toString);
                    }
                }
                // Wholly after recovery: everything works, with no restart.
                if (o.start > healthyAt) {
                    assertEquals(200, o.status, () -> o + ": after recovery");
                }
            }
            assertTrue(outcomes.stream().anyMatch(o -> o.start > cut && o.end < restored && o.status == 503),
                    "some data requests ran during the outage");

            // Every create that was answered 200 is in the table.
            Set<String> stored = app.rows().stream().map(r -> r.get(0)).collect(Collectors.toSet());
            for (Outcome o : outcomes) {
                if (o.createdId != null && o.status == 200) {
                    assertTrue(stored.contains(o.createdId), () -> o + ": answered 200 but not stored");
                }
            }
            // And the service is fully usable again.
            assertEquals(200, app.create("after", "After", "Present", "2023-01-02").statusCode());
            assertEquals(200, app.get(V1 + "/search?id=after").statusCode());
            HttpResponse<String> detail = app.get(V1 + "/health/detail");
            assertEquals(200, detail.statusCode());
            assertEquals("up", TestJson.parse(detail.body()).get("postgresql").asText());
        } finally {
            load.stop();
            proxy.pass();
        }
    }

    /** The exact answers while PostgreSQL is away: Flask's health bodies, 503 for reads and writes alike. */
    private static void assertOutageAnswers() {
        HttpResponse<String> health = app.get(V1 + "/health");
        assertEquals(400, health.statusCode());
        assertEquals("{\"message\":\"" + HealthController.UNHEALTHY + "\"}\n", health.body());
        HttpResponse<String> detail = app.get(V1 + "/health/detail");
        assertEquals(400, detail.statusCode());
        assertEquals("{\"message\":\"" + HealthController.UNHEALTHY
                + "\",\"postgresql\":\"down\",\"redis\":\"up\",\"status\":\"down\"}\n", detail.body());
        String unavailable = "{\"error\":\"Service Unavailable\",\"message\":\"The database is unavailable; try again shortly\"}\n";
        HttpResponse<String> search = app.get(V1 + "/search?id=uncached");
        assertEquals(503, search.statusCode());
        assertEquals(unavailable, search.body());
        HttpResponse<String> create = app.create("during", "a", "b", "2023-01-01");
        assertEquals(503, create.statusCode());
        assertEquals(unavailable, create.body());
        assertEquals("application/json", create.headers().firstValue("Content-Type").orElse(""));
    }

    /** Polls health until 200; returns System.nanoTime() of that answer. */
    private static long awaitHealthy(Duration within) {
        return Poll.until(() -> "health to answer 200", within,
                () -> app.get(V1 + "/health").statusCode() == 200 ? Optional.of(System.nanoTime()) : Optional.empty());
    }

    /** One request of the background load: what was asked, when, and what came back. */
    private static final class Outcome {
        final String route;
        final String createdId;
        final long start;
        long end;
        int status;
        String contentType;
        String body;
        Exception failure;

        Outcome(String route, String createdId) {
            this.route = route;
            this.createdId = createdId;
            this.start = System.nanoTime();
        }

        long millis() {
            return Duration.ofNanos(end - start).toMillis();
        }

        @Override
        public String toString() {
            return route + " -> " + status + " in " + millis() + " ms " + (body == null ? "" : Leaks.abbreviate(body.strip()))
                    + (failure == null ? "" : " " + failure);
        }
    }

    /** Client threads cycling through every route until stopped. */
    private final class Load {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();

        Load(int clients) {
            for (int i = 0; i < clients; i++) {
                int offset = i;
                Thread t = new Thread(() -> run(offset), "load-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        private void run(int offset) {
            for (int n = offset; running.get(); n++) {
                Outcome o = switch (n % 5) {
                    case 0 -> send(new Outcome("GET search?id=seed", null), get(V1 + "/search?id=seed"));
                    case 1 -> send(new Outcome("GET search/all", null), get(V1 + "/search/all"));
                    case 2 -> {
                        String id = "load-" + ids.incrementAndGet();
                        yield send(new Outcome("POST create " + id, id), Http.request("POST", app.url(V1 + "/create"),
                                "application/json", TestApp.record(id, "Load", "Present", "2023-01-03")));
                    }
                    case 3 -> send(new Outcome("GET health", null), get(V1 + "/health"));
                    default -> send(new Outcome("GET health/detail", null), get(V1 + "/health/detail"));
                };
                outcomes.add(o);
            }
        }

        private HttpRequest.Builder get(String path) {
            return HttpRequest.newBuilder(URI.create(app.url(path))).GET();
        }

        private Outcome send(Outcome o, HttpRequest.Builder request) {
            try {
                HttpResponse<String> r = Http.send(request.timeout(Duration.ofSeconds(20)));
                o.status = r.statusCode();
                o.contentType = r.headers().firstValue("Content-Type").orElse("");
                o.body = r.body();
            } catch (Exception e) {
                o.failure = e;
            }
            o.end = System.nanoTime();
            return o;
        }

        int completed() {
            return outcomes.size();
        }

        void awaitCompleted(int count) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (outcomes.size() < count && System.nanoTime() < deadline) {
                Poll.sleep(20);
            }
        }

        void awaitCompletedAfter(long startedAfter, int count) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (outcomes.stream().filter(o -> o.start > startedAfter).count() < count && System.nanoTime() < deadline) {
                Poll.sleep(20);
            }
        }

        void stop() {
            running.set(false);
            for (Thread t : threads) {
                try {
                    t.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        List<Outcome> outcomes() {
            return new ArrayList<>(outcomes);
        }
    }

    private static void sleepUntil(long nanoTime) {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Poll.sleep(Duration.ofNanos(left).toMillis() + 1);
        }
    }
}
