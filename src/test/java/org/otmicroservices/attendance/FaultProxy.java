package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a free loopback port that a test puts between the service and PostgreSQL or Redis, and switches
 * between three network faults without touching the shared servers:
 * <ul>
 * <li>PASS: bytes flow both ways;</li>
 * <li>REFUSE: every open connection is closed and every new one is closed as soon as it is accepted (a server that
 * went away);</li>
 * <li>BLACKHOLE: new connections are accepted and never answered, and open ones stop delivering bytes (a hung server
 * or a partition). Back to PASS, held bytes flow again (the partition heals); connections accepted during the
 * black hole, which never reached the server, are closed.</li>
 * </ul>
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { PASS, REFUSE, BLACKHOLE }

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Set<Socket> holes = ConcurrentHashMap.newKeySet();
    private final Object modeChanged = new Object();
    private volatile Mode mode = Mode.PASS;

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
        setMode(Mode.PASS);
        closeAll(holes);
    }

    void refuse() {
        setMode(Mode.REFUSE);
        links.forEach(Link::close);
        closeAll(holes);
    }

    void blackhole() {
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
                case PASS -> connect(client);
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

    /** One proxied connection: two pumps, each holding its bytes while the proxy is a black hole. */
    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean closed;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n; (n = in.read(buffer)) != -1; ) {
                        if (!awaitPassable()) {
                            break;
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // either side closed: the link is over
                } finally {
                    close();
                }
            }, "fault-proxy-" + port() + "-" + direction);
            t.setDaemon(true);
            t.start();
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
                return mode == Mode.PASS && !closed;
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
