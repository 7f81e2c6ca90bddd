package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** scripts/smoke.sh itself: a check that fails is reported and ends the run (JarServeIT covers the passing run). */
@Timeout(60)
class SmokeScriptIT {

    @Test
    void smokeScriptStopsWithExitOneAtTheFirstFailedCheck() throws IOException {
        // A stand-in whose health route is right and whose health/detail answers 500.
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "{\"message\":\"Attendance API is running fine and ready to serve requests\"}\n"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().endsWith("/health") ? 200 : 500, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            SmokeScript.Result smoke = SmokeScript.run("http://127.0.0.1:" + server.getAddress().getPort());
            String output = smoke.output();
            assertEquals(1, smoke.exitCode(), output);
            assertEquals(2, smoke.lines().size(), output);
            assertEquals("ok   GET /api/v1/attendance/health 200", smoke.lines().get(0));
            assertTrue(smoke.lines().get(1).startsWith(
                    "FAIL GET /api/v1/attendance/health/detail (expected HTTP 200): got HTTP 500"), output);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void smokeScriptFailsWhenNothingListens() {
        SmokeScript.Result smoke = SmokeScript.run("http://127.0.0.1:" + Ports.free());
        String output = smoke.output();
        assertEquals(1, smoke.exitCode(), output);
        assertEquals(1, smoke.lines().size(), output);
        assertTrue(smoke.lines().get(0).startsWith("FAIL GET /api/v1/attendance/health (expected HTTP 200): got HTTP 000"), output);
    }
}
