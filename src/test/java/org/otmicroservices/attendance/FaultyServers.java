package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Stand-ins for a broken Redis or PostgreSQL, so faults are tested without touching the shared servers. */
final class FaultyServers {
    private FaultyServers() {}

    /** A loopback port nothing listens on (bound, then released). */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Accepts TCP connections and never answers a byte: a hung server. */
    static final class Hanging implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        Hanging() {
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            daemon("hanging-accept", () -> {
                while (!server.isClosed()) {
                    try {
                        accepted.add(server.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() {
            closeQuietly(server);
            accepted.forEach(FaultyServers::closeQuietly);
        }
    }

    /** Forwards to a real server until cut(): then every connection is dropped and new ones closed at once. */
    static final class CuttableProxy implements AutoCloseable {
        private final ServerSocket server;
        private final String targetHost;
        private final int targetPort;
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private volatile boolean cut;

        CuttableProxy(String targetHost, int targetPort) {
            this.targetHost = targetHost;
            this.targetPort = targetPort;
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            daemon("proxy-accept", this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        /** As a database restart looks to clients: established connections drop, new ones fail. */
        void cut() {
            cut = true;
            open.forEach(FaultyServers::closeQuietly);
            open.clear();
        }

        void restore() {
            cut = false;
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return;
                }
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                try {
                    Socket upstream = new Socket(targetHost, targetPort);
                    open.add(client);
                    open.add(upstream);
                    daemon("proxy-up", () -> pump(client, upstream));
                    daemon("proxy-down", () -> pump(upstream, client));
                } catch (IOException e) {
                    closeQuietly(client);
                }
            }
        }

        private static void pump(Socket from, Socket to) {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        @Override
        public void close() {
            closeQuietly(server);
            cut();
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
