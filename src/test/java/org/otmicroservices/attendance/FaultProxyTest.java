package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's delay mode, against an echo server: the delay holds each way, order holds, bandwidth holds. */
class FaultProxyTest {
    private static final Duration DELAY = Duration.ofMillis(50);

    private ServerSocket echo;
    private FaultProxy proxy;
    private Socket socket;

    @BeforeEach
    void echoServerBehindTheProxy() throws IOException {
        echo = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::echoEachConnection, "echo-server");
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = FaultProxy.to(echo.getInetAddress().getHostAddress(), echo.getLocalPort());
        socket = new Socket(proxy.host(), proxy.port());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
    }

    @AfterEach
    void close() throws IOException {
        socket.close();
        proxy.close();
        echo.close();
    }

    @Test
    void aRoundTripThroughTheDelayTakesTwiceTheDelayAndPassEndsItOnTheOpenConnection() throws IOException {
        assertTrue(fastestOfFive() < DELAY.toMillis(), "no delay before one is set");
        proxy.delay(DELAY);
        for (int i = 0; i < 3; i++) {
            long ms = roundTripMillis();
            assertTrue(ms >= 2 * DELAY.toMillis(), "a round trip took " + ms + " ms, less than twice the delay");
        }
        proxy.pass();
        roundTripMillis(); // may still wait out a byte sent under the delay
        long ms = fastestOfFive();
        assertTrue(ms < DELAY.toMillis(), "after pass() a round trip took " + ms + " ms");
    }

    @Test
    void delayedBytesArriveInOrderWhileManyAreInFlightEvenAcrossAChangeOfDelay() throws Exception {
        // 2,000 writes: each waiting out the delay in turn would take 100 s; in flight together, well under 2 s.
        byte[] sent = new byte[2000 * 500];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + i / 251);
        }
        proxy.delay(DELAY);
        long start = System.nanoTime();
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readFully(sent.length));
        OutputStream out = socket.getOutputStream();
        for (int offset = 0; offset < sent.length; offset += 500) {
            if (offset == sent.length / 2) {
                proxy.pass(); // later bytes are due earlier than those still held: they must not overtake them
            }
            out.write(sent, offset, 500);
            out.flush();
        }
        assertArrayEquals(sent, received.get());
        long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(ms >= DELAY.toMillis(), "took " + ms + " ms: the first half was not delayed on its way up");
        assertTrue(ms < 2000, "took " + ms + " ms: the delay is serializing the bytes");
    }

    /** Undelayed, a loopback round trip is well under the delay, except one that a busy machine descheduled. */
    private long fastestOfFive() throws IOException {
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            fastest = Math.min(fastest, roundTripMillis());
        }
        return fastest;
    }

    private long roundTripMillis() throws IOException {
        long start = System.nanoTime();
        socket.getOutputStream().write('x');
        socket.getOutputStream().flush();
        assertEquals('x', socket.getInputStream().read());
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    private byte[] readFully(int length) {
        try {
            return socket.getInputStream().readNBytes(length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void echoEachConnection() {
        while (!echo.isClosed()) {
            try {
                Socket connection = echo.accept();
                Thread t = new Thread(() -> copy(connection), "echo-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void copy(Socket connection) {
        try (connection; InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // the test closed its side
        }
    }
}
