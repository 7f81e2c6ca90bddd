package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL unreachable (API.md "Routes" health rows and the "Deliberate differences" rows on PostgreSQL): the
 * service reaches the shared server through a proxy this test cuts, as a database restart looks to a client.
 */
class DatabaseOutageTest {
    private static FaultyServers.CuttableProxy proxy;

    @RegisterExtension
    static final TestApp app = new TestApp(c -> {
        proxy = new FaultyServers.CuttableProxy(c.postgres().host(), c.postgres().port());
        return TestConfigs.withPostgresPort(c, proxy.port(), 400, 5); // short pool wait: each down request costs it
    });

    private static final String V1 = "/api/v1/attendance";
    private static final String UNHEALTHY = "Attendance API is not healthy, please check logs";

    @AfterAll
    static void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void whilePostgresqlIsDownHealthSays400AndDataRoutesSay503ThenEverythingRecoversByItself() {
        assertEquals(200, app.create("before", "a", "b", "2023-01-01").statusCode());
        proxy.cut();
        try {
            HttpResponse<String> health = app.get(V1 + "/health");
            assertEquals(400, health.statusCode());
            assertEquals("{\"message\":\"" + UNHEALTHY + "\"}\n", health.body());
            HttpResponse<String> detail = app.get(V1 + "/health/detail");
            assertEquals(400, detail.statusCode());
            assertEquals("{\"message\":\"" + UNHEALTHY + "\",\"postgresql\":\"down\",\"redis\":\"up\",\"status\":\"down\"}\n",
                    detail.body());
            String unavailable = "{\"error\":\"Service Unavailable\",\"message\":\"The database is unavailable; try again shortly\"}\n";
            HttpResponse<String> search = app.get(V1 + "/search?id=uncached");
            assertEquals(503, search.statusCode());
            assertEquals(unavailable, search.body());
            HttpResponse<String> create = app.create("during", "a", "b", "2023-01-01");
            assertEquals(503, create.statusCode());
            assertEquals(unavailable, create.body());
            assertEquals("application/json", create.headers().firstValue("Content-Type").orElse(""));
        } finally {
            proxy.restore();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (app.get(V1 + "/health").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "health did not recover within 15 s");
        }
        for (int i = 0; i < 4; i++) { // every pooled connection, not only the first one
            assertEquals(200, app.get(V1 + "/search?id=before").statusCode());
            assertEquals(200, app.get(V1 + "/health/detail").statusCode());
        }
        assertEquals(200, app.create("after", "a", "b", "2023-01-01").statusCode());
        assertEquals(2, app.rows().size());
    }

    @Test
    void postgresqlUnreachableAtStartupFailsWithOneClearLineAfterTheWait() {
        Config config = TestConfigs.withPostgresPort(app.config, FaultyServers.closedPort(), 500, 1);
        long start = System.nanoTime();
        Database.UnavailableException e = assertThrows(Database.UnavailableException.class,
                () -> App.start(config, new PrintStream(OutputStream.nullOutputStream())).close());
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertTrue(seconds >= 1 && seconds < 10, "waited " + seconds + " s");
        assertTrue(e.getMessage().startsWith("PostgreSQL at 127.0.0.1:" + config.postgres().port() + " did not answer within 1 s"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(e.getMessage().contains(config.postgres().password()));
    }
}
