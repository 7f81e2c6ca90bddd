package org.otmicroservices.attendance.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A connection burst, as nginx after a reload or a fleet of clients after a network blip makes one: every client
 * connects at the same moment (non-blocking connects issued back to back from one thread) and sends one request
 * on its own connection. A second thread reads the answers as they arrive, as a fleet of separate clients would:
 * read only once the last connect was issued, every answer was charged the whole connect loop (50-100 ms for
 * 1,000 here), and nginx's own p99 for the same burst was 100-150 ms instead of 55-60. A connection the listener's
 * backlog cannot hold is dropped at the SYN and retried by the kernel a second later, so what counts is how many
 * answers took over a second. The burst is made twice and the
 * second one measured: the first warms this client's JVM and the service's path for new connections, so the
 * figures are the service's in steady state, not two cold JITs'. Prints one JSON line.
 *
 * Usage: java -cp ... org.otmicroservices.attendance.bench.Burst NAME HOST PORT PATH CLIENTS
 */
public final class Burst {
    private static final long GIVE_UP_NANOS = 30_000_000_000L;

    private Burst() {}

    /** One client: its connection, what it has read, and when it began. */
    private static final class Client {
        final SocketChannel channel;
        final long startedAt;
        final ByteBuffer request;
        long tookNanos = -1;
        boolean ok;
        boolean connectedAtOnce;
        final ByteBuffer in = ByteBuffer.allocate(4096);
        final StringBuilder head = new StringBuilder();

        Client(SocketChannel channel, long startedAt, byte[] request) {
            this.channel = channel;
            this.startedAt = startedAt;
            this.request = ByteBuffer.wrap(request);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: Burst NAME HOST PORT PATH CLIENTS");
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        byte[] request = ("GET " + args[3] + " HTTP/1.1\r\nHost: " + args[1] + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        int clients = Integer.parseInt(args[4]);
        burst(target, request, clients);
        print(args[0], burst(target, request, clients));
    }

    private static Client[] burst(InetSocketAddress target, byte[] request, int clients) throws IOException {
        Client[] all = new Client[clients];
        Queue<Client> connecting = new ConcurrentLinkedQueue<>();
        AtomicReference<IOException> failed = new AtomicReference<>();
        try (Selector selector = Selector.open()) {
            Thread connector = new Thread(() -> {
                try {
                    connectAll(target, request, all, connecting, selector);
                } catch (IOException e) {
                    failed.set(e);
                    selector.wakeup();
                }
            }, "connector");
            connector.start();
            int finished = 0;
            long deadline = System.nanoTime() + GIVE_UP_NANOS;
            while (finished < clients && failed.get() == null && System.nanoTime() < deadline) {
                selector.select(100);
                for (Client c; (c = connecting.poll()) != null; ) {
                    c.channel.register(selector, c.connectedAtOnce ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, c);
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (step(key)) {
                        finished++;
                    }
                }
                selector.selectedKeys().clear();
            }
            try {
                connector.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        return all;
    }

    /** The burst itself: every connect back to back, each handed to the reading thread as soon as it is issued. */
    private static void connectAll(InetSocketAddress target, byte[] request, Client[] all, Queue<Client> connecting,
                                   Selector selector) throws IOException {
        for (int i = 0; i < all.length; i++) {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            Client c = new Client(channel, System.nanoTime(), request);
            c.connectedAtOnce = channel.connect(target);
            all[i] = c;
            connecting.add(c); // the queue hands c over to the reading thread whole
            if (i % 16 == 15) {
                selector.wakeup();
            }
        }
        selector.wakeup();
    }

    /** Advances one client; true once it is finished (answered, or failed). */
    private static boolean step(SelectionKey key) {
        Client c = (Client) key.attachment();
        try {
            if (key.isConnectable()) {
                c.channel.finishConnect();
                key.interestOps(SelectionKey.OP_WRITE);
            } else if (key.isWritable()) {
                c.channel.write(c.request);
                if (!c.request.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            } else if (key.isReadable()) {
                c.in.clear();
                int n = c.channel.read(c.in);
                if (n > 0) {
                    c.head.append(new String(c.in.array(), 0, Math.min(n, 16), StandardCharsets.US_ASCII));
                    return false;
                }
                // Connection: close, so the end of the stream is the end of the answer.
                c.tookNanos = System.nanoTime() - c.startedAt;
                c.ok = c.head.toString().startsWith("HTTP/1.1 200");
                key.cancel();
                c.channel.close();
                return true;
            }
            return false;
        } catch (IOException e) {
            c.tookNanos = System.nanoTime() - c.startedAt;
            key.cancel();
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // closing a failed connection: nothing more to learn
            }
            return true;
        }
    }

    private static void print(String name, Client[] all) {
        double[] ms = Arrays.stream(all).filter(c -> c.ok).mapToDouble(c -> c.tookNanos / 1e6).sorted().toArray();
        long errors = all.length - ms.length;
        long overOneSecond = Arrays.stream(ms).filter(m -> m > 1000).count();
        double p99 = ms.length == 0 ? 0 : ms[Math.min(ms.length - 1, (int) Math.ceil(ms.length * 0.99) - 1)];
        double max = ms.length == 0 ? 0 : ms[ms.length - 1];
        System.out.printf(Locale.ROOT, "{\"type\":\"burst\",\"name\":\"%s\",\"clients\":%d,\"over_1s\":%d,\"p99_ms\":%.1f,"
                + "\"max_ms\":%.1f,\"errors\":%d}%n", name, all.length, overOneSecond, p99, max, errors);
    }
}
