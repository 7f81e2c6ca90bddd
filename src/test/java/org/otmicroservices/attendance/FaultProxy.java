package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on a free loopback port that a test puts between the service and PostgreSQL or Redis, and switches
 * between network faults without touching the shared servers:
 * <ul>
 * <li>PASS: bytes flow both ways;</li>
 * <li>DELAY: bytes flow both ways, each no earlier than a fixed delay after the proxy received it, in the order
 * received (a server in another zone). Bytes in flight overlap, so the delay costs latency, not bandwidth. A new
 * delay applies to bytes received from then on, open connections included; bytes never overtake each other.</li>
 * <li>REFUSE: every open connection is closed and every new one is closed as soon as it is accepted (a server that
 * went away);</li>
 * <li>BLACKHOLE: new connections are accepted and never answered, and open ones stop delivering bytes (a hung server
 * or a partition). Back to PASS, held bytes flow again (the partition heals); connections accepted during the
 * black hole, which never reached the server, are closed.</li>
 * </ul>
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { PASS, DELAY, REFUSE, BLACKHOLE }

    /** Per direction: chunks read but not yet written; when full, the proxy stops reading (TCP back-pressure). */
    private static final int IN_FLIGHT_CHUNKS = 64;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Set<Socket> holes = ConcurrentHashMap.newKeySet();
    private final Object modeChanged = new Object();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayNanos;

    private FaultProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static FaultProxy to(String host, int port) {
        try {
            return new FaultProxy(host, port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    String host() {
        return server.getInetAddress().getHostAddress();
    }

    void pass() {
        delayNanos = 0;
        setMode(Mode.PASS);
        closeAll(holes);
    }

    /** Passes bytes each way after `oneWay` (zero: as pass()). */
    void delay(Duration oneWay) {
        if (oneWay.isZero()) {
            pass();
            return;
        }
        delayNanos = oneWay.toNanos();
        setMode(Mode.DELAY);
        closeAll(holes);
    }

    void refuse() {
        delayNanos = 0;
        setMode(Mode.REFUSE);
        links.forEach(Link::close);
        closeAll(holes);
    }

    void blackhole() {
        delayNanos = 0;
        setMode(Mode.BLACKHOLE);
    }

    Mode mode() {
        return mode;
    }

    private void setMode(Mode next) {
        synchronized (modeChanged) {
            mode = next;
            modeChanged.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            switch (mode) {
                case REFUSE -> quietlyClose(client);
                case BLACKHOLE -> holes.add(client);
                case PASS, DELAY -> connect(client);
            }
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            upstream.connect(new InetSocketAddress(targetHost, targetPort), 2000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
        } catch (IOException e) {
            quietlyClose(client);
            quietlyClose(upstream);
            return;
        }
        Link link = new Link(client, upstream);
        links.add(link);
        link.start();
    }

    /** Bytes read from one side, due on the other side at releaseNanos; null bytes: the sender closed. */
    private record Chunk(byte[] bytes, long releaseNanos) {}

    /**
     * One proxied connection. Each direction has a receiver, which stamps each chunk with its release time, and a
     * sender, which writes the chunks in order once due: with one queue per direction, order is kept, and a chunk
     * waiting out its delay does not hold back the reading of the next.
     */
    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean closed;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            forward(client, upstream, "up");
            forward(upstream, client, "down");
        }

        private void forward(Socket from, Socket to, String direction) {
            BlockingQueue<Chunk> inFlight = new ArrayBlockingQueue<>(IN_FLIGHT_CHUNKS);
            daemon(() -> receive(from, inFlight), direction + "-in");
            daemon(() -> send(inFlight, to), direction + "-out");
        }

        private void daemon(Runnable body, String name) {
            Thread t = new Thread(body, "fault-proxy-" + port() + "-" + name);
            t.setDaemon(true);
            t.start();
        }

        private void receive(Socket from, BlockingQueue<Chunk> inFlight) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream(); // closed with the link, once what was read has gone out
                for (int n; (n = in.read(buffer)) != -1; ) {
                    if (!enqueue(inFlight, Arrays.copyOf(buffer, n))) {
                        return;
                    }
                }
            } catch (IOException e) {
                // this side closed or was reset: what was received still goes out, then the link ends
            }
            enqueue(inFlight, null);
        }

        /** False once the link is closed. */
        private boolean enqueue(BlockingQueue<Chunk> inFlight, byte[] bytes) {
            Chunk chunk = new Chunk(bytes, System.nanoTime() + delayNanos);
            try {
                while (!closed) {
                    if (inFlight.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        private void send(BlockingQueue<Chunk> inFlight, Socket to) {
            try {
                OutputStream out = to.getOutputStream();
                while (!closed) {
                    Chunk chunk = inFlight.poll(100, TimeUnit.MILLISECONDS);
                    if (chunk == null) {
                        continue;
                    }
                    for (long wait; (wait = chunk.releaseNanos() - System.nanoTime()) > 0 && !closed; ) {
                        LockSupport.parkNanos(wait);
                    }
                    if (chunk.bytes() == null || !awaitPassable()) {
                        break;
                    }
                    out.write(chunk.bytes());
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed: the link is over
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        }

        /** Holds the caller while the proxy is a black hole; false when the bytes must be dropped. */
        private boolean awaitPassable() {
            synchronized (modeChanged) {
                while (mode == Mode.BLACKHOLE && !closed) {
                    try {
                        modeChanged.wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
                return (mode == Mode.PASS || mode == Mode.DELAY) && !closed;
            }
        }

        void close() {
            closed = true;
            quietlyClose(client);
            quietlyClose(upstream);
            links.remove(this);
        }
    }

    private static void closeAll(Set<Socket> sockets) {
        for (Socket s : sockets) {
            quietlyClose(s);
            sockets.remove(s);
        }
    }

    private static void quietlyClose(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        quietlyClose(server);
        links.forEach(Link::close);
        closeAll(holes);
    }
}
