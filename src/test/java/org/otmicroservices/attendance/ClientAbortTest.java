package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client that hangs up in the middle of a streamed search/all is not a server error. */
class ClientAbortTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    @Test
    void clientClosingMidStreamIsLogged499AndIsNoServerError() throws Exception {
        // About 10 MB of JSON: more than the socket buffers hold, so the server is still writing when we hang up.
        app.sql("INSERT INTO records SELECT g::text, 'Employee ' || g, 'Present', DATE '2023-01-01' FROM generate_series(1, 100000) g");
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", app.app.port()), 5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/v1/attendance/search/all HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(100_000);
            assertTrue(new String(head, 0, 15, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
        }
        String line = awaitLogLine("GET /api/v1/attendance/search/all");
        assertTrue(line.contains("\"status_code\": \"499\""), line); // nginx's "client closed request"
        String metrics = app.get("/metrics").body();
        assertFalse(metrics.lines().anyMatch(l -> l.startsWith("flask_http_request_exceptions_total{")), metrics);
    }

    private static String awaitLogLine(String request) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            String found = app.accessLog().lines().filter(l -> l.contains(request)).findFirst().orElse(null);
            if (found != null) {
                return found;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no access log line for " + request + " within 30 s: " + app.accessLog());
    }
}
