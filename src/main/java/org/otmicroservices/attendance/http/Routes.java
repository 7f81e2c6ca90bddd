package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.http.NotFoundResponse;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.prometheus.client.exporter.common.TextFormat;
import java.util.Map;
import java.util.regex.Pattern;
import org.otmicroservices.attendance.metrics.Metrics;

/** The whole HTTP surface of the service, one line a route: the Flask routes, then those beyond Flask. */
public final class Routes {
    public static final String V1 = "/api/v1/attendance";
    private static final String READ = "OPTIONS, GET, HEAD";
    private static final String WRITE = "OPTIONS, POST";
    /**
     * The one-segment paths that PUT/DELETE /{id} would also match, with the methods their OPTIONS list. Wrong
     * methods there keep their 405, as in Flask; a record whose id is one of these words is not addressable by path.
     */
    private static final Map<String, String> FIXED = Map.of(V1 + "/health", READ, V1 + "/create", WRITE,
            V1 + "/search", READ, V1 + "/bulk", WRITE, V1 + "/export.csv", READ, V1 + "/summary", READ);

    private static final String RECORD = "OPTIONS, PUT, DELETE";
    private static final Pattern RECORD_PATH = Pattern.compile(Pattern.quote(V1) + "/[^/]+");

    private final ReadController reads;
    private final WriteController writes;
    private final HealthController health;
    private final Metrics metrics;
    private final WriteGuard writeGuard;

    public Routes(ReadController reads, WriteController writes, HealthController health, Metrics metrics, WriteGuard writeGuard) {
        this.reads = reads;
        this.writes = writes;
        this.health = health;
        this.metrics = metrics;
        this.writeGuard = writeGuard;
    }

    void addTo(JavalinDefaultRoutingApi<?> router) {
        // Before every matched write route, present and future (PUT, DELETE, ...): the optional write token.
        router.beforeMatched(writeGuard);
        // Query strings that are not UTF-8 or carry NUL, refused for every route before PostgreSQL sees them.
        router.beforeMatched(new QueryGuard());
        read(router, V1 + "/health", health::health);
        read(router, V1 + "/health/detail", health::detail);
        write(router, V1 + "/create", writes::create);
        read(router, V1 + "/search", reads::search);
        read(router, V1 + "/search/all", reads::searchAll);
        write(router, V1 + "/bulk", writes::bulk);
        read(router, V1 + "/export.csv", reads::export);
        read(router, V1 + "/summary", reads::summary);
        record(router, V1 + "/{id}", writes::update, writes::delete); // last: the fixed paths above match first
        read(router, "/metrics", ctx -> ctx.contentType(TextFormat.CONTENT_TYPE_004).result(metrics.scrape()));
        router.get("/apidocs", ctx -> ctx.redirect("/apidocs/", HttpStatus.PERMANENT_REDIRECT));
        router.get("/apidocs/index.html", ctx -> ctx.redirect("/apidocs/", HttpStatus.FOUND));
    }

    /** GET, HEAD running the same handler (Jetty sends no body), and OPTIONS, as Flask answered them. */
    private static void read(JavalinDefaultRoutingApi<?> router, String path, Handler handler) {
        router.get(path, handler);
        router.head(path, handler);
        router.options(path, allow(READ));
    }

    private static void write(JavalinDefaultRoutingApi<?> router, String path, Handler handler) {
        router.post(path, handler);
        router.options(path, allow(WRITE));
    }

    /**
     * PUT and DELETE of a record, as routes rather than a before-handler on /{id}, which ran its path match on every
     * request. The other methods keep the Flask answers on the paths /{id} also matches (notARecordMethod).
     */
    private static void record(JavalinDefaultRoutingApi<?> router, String path, Handler update, Handler delete) {
        router.put(path, onRecordPath(update));
        router.delete(path, onRecordPath(delete));
        router.options(path, allow(RECORD));
        router.get(path, Routes::notARecordMethod);
        router.head(path, Routes::notARecordMethod);
        router.post(path, Routes::notARecordMethod);
        router.patch(path, Routes::notARecordMethod);
    }

    /** PUT and DELETE of a record, except on the fixed paths, whose wrong methods stay 405. */
    private static Handler onRecordPath(Handler handler) {
        return ctx -> {
            if (FIXED.containsKey(ctx.path())) {
                notARecordMethod(ctx);
            }
            handler.handle(ctx);
        };
    }

    /**
     * Only the methods the fixed route lacks get here: a fixed route keeps its 405, and any other word stays 404
     * (an unknown path, as in Flask), not 405.
     */
    private static void notARecordMethod(Context ctx) {
        String allowed = FIXED.get(ctx.path());
        if (allowed != null) {
            throw new MethodNotAllowedResponse("Method not allowed", Map.of("availableMethods", allowed));
        }
        throw new NotFoundResponse();
    }

    /**
     * The methods of a one-segment path under V1, as its OPTIONS lists them. Javalin's 405 lists every method of
     * every route matching the path, and /{id} matches these too, so a method no route has (TRACE, an unknown
     * one) got the union of both. Null for the other paths, whose 405 Javalin lists rightly.
     */
    static String allowedOn(String path) {
        String fixed = FIXED.get(path);
        return fixed != null ? fixed : RECORD_PATH.matcher(path).matches() ? RECORD : null;
    }

    private static Handler allow(String methods) {
        return ctx -> ctx.header("Allow", methods).status(200);
    }
}
