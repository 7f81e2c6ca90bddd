package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.otmicroservices.attendance.http.Routes;

/**
 * Write-then-read pairs across instances, for the tests that break on purpose the conditions read-your-writes
 * rests on (delayed links, stalled or killed processes): a write of each kind through one instance, answered 2xx,
 * then every read route through another, each answer checked to show the write. Before each write the reader
 * reads the same routes, so it holds the copies that the write makes stale. Instances are named by base URL, so
 * the same pairs run against instances in this JVM and against jar processes.
 */
final class ReadYourWrites {
    private static final String V1 = Routes.V1;
    private static final LocalDate FIRST_DATE = LocalDate.of(2001, 1, 1);
    /** Larger than the table of any of these runs: every write shows on the first page. */
    private static final int PAGE_LIMIT = 1000;
    /** Unique in the JVM, so no two writes of a run (or of two runs on one table) can be mistaken for each other. */
    private static final AtomicInteger SERIAL = new AtomicInteger();

    private ReadYourWrites() {}

    /**
     * A record as a write leaves it. Names are of one length, so a name filter matches one record only; no two
     * records share a date, so summary shows whether the record exists.
     */
    record Rec(String id, String name, LocalDate date) {
        static Rec next() {
            int n = SERIAL.incrementAndGet();
            return new Rec(String.format("r%07d", n), String.format("n%07d", n), FIRST_DATE.plusDays(n));
        }

        String createBody() {
            return TestApp.record(id, name, "Present", date.toString());
        }
    }

    enum Kind { CREATE, PUT, DELETE, BULK }

    /** One write: its record before (null for an insert) and after (null for a delete). */
    record Write(Kind kind, Rec before, Rec after) {
        static Write create() {
            return new Write(Kind.CREATE, null, Rec.next());
        }

        /** New name and date: every route, summary included, then shows the change. */
        static Write put(Rec target) {
            Rec values = Rec.next();
            return new Write(Kind.PUT, target, new Rec(target.id(), values.name(), values.date()));
        }

        static Write delete(Rec target) {
            return new Write(Kind.DELETE, target, null);
        }

        static Write bulk() {
            return new Write(Kind.BULK, null, Rec.next());
        }

        String id() {
            return after != null ? after.id() : before.id();
        }

        HttpRequest.Builder request(String base) {
            return switch (kind) {
                case CREATE -> Http.request("POST", base + V1 + "/create", "application/json", after.createBody());
                case PUT -> Http.request("PUT", base + V1 + "/" + id(), "application/json",
                        "{\"name\":\"" + after.name() + "\",\"status\":\"Present\",\"date\":\"" + after.date() + "\"}");
                case DELETE -> Http.request("DELETE", base + V1 + "/" + id(), null, null);
                case BULK -> Http.request("POST", base + V1 + "/bulk", "application/json", "[" + after.createBody() + "]");
            };
        }
    }

    /** Creates, PUTs, DELETEs and bulk imports in turn; each PUT and DELETE on the record written just before. */
    static final class Writes {
        private int count;
        private Rec latest;
        private Write upcoming;

        /** The write next() returns next: to let an instance read its routes first. */
        Write peek() {
            if (upcoming == null) {
                upcoming = switch (count % 4) {
                    case 0 -> Write.create();
                    case 1 -> Write.put(latest);
                    case 2 -> Write.delete(latest);
                    default -> Write.bulk();
                };
            }
            return upcoming;
        }

        Write next() {
            Write w = peek();
            upcoming = null;
            count++;
            latest = w.after();
            return w;
        }
    }

    /** The read routes a write must show in: the cached ones, and export.csv, which is read from PostgreSQL today. */
    enum Route {
        BY_ID("search?id="), ALL("search/all"), PAGE("search/all?limit="), FILTERED("search?name="), SUMMARY("summary"),
        EXPORT("export.csv");

        final String label;

        Route(String label) {
            this.label = label;
        }

        String path(Write w) {
            return V1 + switch (this) {
                case BY_ID -> "/search?id=" + w.id();
                case ALL -> "/search/all";
                case PAGE -> "/search/all?limit=" + PAGE_LIMIT;
                case FILTERED -> "/search?name=" + (w.after() != null ? w.after() : w.before()).name();
                case SUMMARY -> "/summary";
                case EXPORT -> "/export.csv";
            };
        }

        /** The answer shows the write: the record as it is after it, and not as it was before. */
        boolean shows(Write w, HttpResponse<String> r) {
            int expected = this == BY_ID && w.after() == null ? 404 : 200;
            return r.statusCode() == expected && (w.after() == null || holds(w.after(), r.body()))
                    && (w.before() == null || !holds(w.before(), r.body()));
        }

        private boolean holds(Rec rec, String body) {
            return switch (this) {
                case BY_ID -> body.contains("\"name\":\"" + rec.name() + "\"");
                case ALL, PAGE, FILTERED -> body.contains("{\"id\":\"" + rec.id() + "\",\"name\":\"" + rec.name() + "\"");
                case SUMMARY -> body.contains("\"date\":\"" + rec.date() + "\"");
                case EXPORT -> body.contains("\n" + rec.id() + "," + rec.name() + ",Present," + rec.date() + "\r\n");
            };
        }
    }

    /** Stale answers per route over a run, the first of each kept for the failure message, and the slowest write. */
    static final class Tally {
        private final Map<Route, Integer> reads = new EnumMap<>(Route.class);
        private final Map<Route, Integer> stale = new EnumMap<>(Route.class);
        private final Map<Route, String> firstStale = new EnumMap<>(Route.class);
        private int writes;
        private Duration slowestWrite = Duration.ZERO;

        synchronized void wrote(Duration took) {
            writes++;
            if (took.compareTo(slowestWrite) > 0) {
                slowestWrite = took;
            }
        }

        synchronized void read(Route route, String path, HttpResponse<String> r, boolean fresh) {
            reads.merge(route, 1, Integer::sum);
            if (!fresh) {
                stale.merge(route, 1, Integer::sum);
                firstStale.putIfAbsent(route, path + " answered " + r.statusCode() + " " + abbreviate(r.body()));
            }
        }

        synchronized int stale() {
            return stale.values().stream().mapToInt(Integer::intValue).sum();
        }

        synchronized Duration slowestWrite() {
            return slowestWrite;
        }

        @Override
        public synchronized String toString() {
            StringJoiner counts = new StringJoiner(", ", "stale reads per route: ", "");
            for (Route route : Route.values()) {
                counts.add(route.label + " " + stale.getOrDefault(route, 0) + "/" + reads.getOrDefault(route, 0));
            }
            return counts + " after " + writes + " writes (slowest answered in " + slowestWrite.toMillis() + " ms)"
                    + (firstStale.isEmpty() ? "" : "; first stale answers: " + firstStale.values());
        }

        /** On one line, as JSON and CSV bodies end with a line break. */
        private static String abbreviate(String body) {
            String line = body.replace("\r", "\\r").replace("\n", "\\n");
            return line.length() <= 300 ? line : line.substring(0, 300) + "...";
        }
    }

    /** `count` pairs: the reader reads the routes, the writer writes, the reader reads them again at once. */
    static Tally pairs(String writer, String reader, int count) {
        return pairs(writer, reader, new Writes(), count);
    }

    static Tally pairs(String writer, String reader, Writes writes, int count) {
        Tally tally = new Tally();
        for (int i = 0; i < count; i++) {
            Write w = writes.next();
            warm(reader, List.of(w));
            write(writer, w, tally);
            read(reader, List.of(w), tally).join();
        }
        return tally;
    }

    /**
     * Reads each route of the writes twice through the instance, the routes at once: the first read may find the
     * cache invalidated by the previous write and store a new entry, the second reads that entry from Redis, which is
     * what an instance keeps a copy of.
     */
    static void warm(String base, List<Write> writes) {
        CompletableFuture.allOf(paths(writes).keySet().stream()
                .map(path -> get(base, path).thenCompose(first -> get(base, path)))
                .toArray(CompletableFuture[]::new)).join();
    }

    /** Sends the write and waits for its answer, which must be 2xx; the time it took goes into the tally. */
    static void write(String base, Write w, Tally tally) {
        long start = System.nanoTime();
        HttpResponse<String> r = Http.send(w.request(base));
        tally.wrote(Duration.ofNanos(System.nanoTime() - start));
        assertTrue(r.statusCode() / 100 == 2, w.kind() + " " + w.id() + " answered " + r.statusCode() + " " + r.body());
    }

    /**
     * Sends every route of the writes at once through the instance (each distinct path once) and, as the answers
     * come, counts those that do not show every write they concern. Join the result to wait for all of them.
     */
    static CompletableFuture<Void> read(String base, List<Write> writes, Tally tally) {
        List<CompletableFuture<?>> answers = new ArrayList<>();
        paths(writes).forEach((path, concerned) -> {
            Route route = concerned.get(0).route();
            answers.add(get(base, path).thenAccept(r -> tally.read(route, path, r,
                    concerned.stream().allMatch(c -> route.shows(c.write(), r)))));
        });
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new));
    }

    private record Concern(Route route, Write write) {}

    /** Every path the writes must show in, with the writes each concerns. */
    private static Map<String, List<Concern>> paths(List<Write> writes) {
        Map<String, List<Concern>> paths = new LinkedHashMap<>();
        for (Route route : Route.values()) {
            for (Write w : writes) {
                paths.computeIfAbsent(route.path(w), p -> new ArrayList<>()).add(new Concern(route, w));
            }
        }
        return paths;
    }

    private static CompletableFuture<HttpResponse<String>> get(String base, String path) {
        return Http.sendAsync(Http.request("GET", base + path, null, null));
    }
}
