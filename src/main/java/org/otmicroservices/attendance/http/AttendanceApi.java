package org.otmicroservices.attendance.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.http.NotFoundResponse;
import io.javalin.openapi.plugin.OpenApiPlugin;
import io.javalin.openapi.plugin.OpenApiPluginConfiguration;
import io.javalin.openapi.plugin.swagger.SwaggerPlugin;
import io.javalin.router.JavalinDefaultRouting;
import io.prometheus.client.exporter.common.TextFormat;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.otmicroservices.attendance.App;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.metrics.Metrics;

/** The HTTP surface: one route table mirroring the Flask routes, the API docs, metrics and the access log. */
public final class AttendanceApi {
    public static final String V1 = "/api/v1/attendance";
    private static final String READ = "OPTIONS, GET, HEAD";
    private static final String WRITE = "OPTIONS, POST";
    /**
     * The one-segment paths that PUT/DELETE /{id} would also match, with the methods their OPTIONS list. Wrong
     * methods there keep their 405 (API.md); a record whose id is one of these words is not addressable by path.
     */
    private static final Map<String, String> FIXED = Map.of(V1 + "/health", READ, V1 + "/create", WRITE,
            V1 + "/search", READ, V1 + "/bulk", WRITE, V1 + "/export.csv", READ, V1 + "/summary", READ);

    private AttendanceApi() {}

    public static Javalin create(Config config, AttendanceController attendance, RecordsController records, HealthController health,
                          Metrics metrics, RequestLog requestLog, ErrorMapper errors) {
        ImplicitMethods implicitMethods = new ImplicitMethods();
        Javalin app = Javalin.create(cfg -> {
            implicitMethods.watch(cfg);
            cfg.showJavalinBanner = false;
            cfg.http.prefer405over404 = true;
            cfg.http.disableCompression(); // as Flask; nginx in front may compress
            cfg.http.maxRequestSize = config.server().maxBodyBytes();
            cfg.jetty.clientAbortStatus = 499; // nginx's "client closed request", not Javalin's default 500
            cfg.router.ignoreTrailingSlashes = false; // Flask answers 404 for /health/
            QueuedThreadPool threads = new QueuedThreadPool(config.server().maxThreads(), 8, 60_000);
            threads.setName("http");
            cfg.jetty.threadPool = threads;
            // Jetty's default stop timeout is 0, which cuts in-flight requests on SIGTERM. Set it only once
            // started: the graceful stop that Javalin runs after a failed start (port in use) would throw and
            // replace the bind error with "IllegalStateException: STOPPED", then hold the exit for seconds.
            cfg.jetty.modifyServer(server -> server.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStarted(LifeCycle event) {
                    server.setStopTimeout(10_000);
                }
            }));
            // Requests Jetty refuses itself (unparsable, URI or headers too long) get JSON too, not an HTML page.
            cfg.jetty.modifyServer(server -> server.setErrorHandler(errors.jettyErrorHandler()));
            cfg.requestLogger.http((ctx, ms) -> {
                // Unmatched requests share one label, so scanners cannot grow the metric without bound.
                String route = ctx.handlerType() == HandlerType.BEFORE ? "<unmatched>" : ctx.endpointHandlerPath();
                metrics.observe(ctx.method().name(), route, ctx.statusCode(), ms / 1000.0);
                requestLog.log(ctx, ms);
            });
            cfg.registerPlugin(new OpenApiPlugin(spec("/openapi.json")));
            // The Flask (flasgger) path of the spec; the plugin is registered once per path.
            cfg.registerPlugin(new OpenApiPlugin(spec("/apispec_1.json")) {});
            cfg.registerPlugin(new SwaggerPlugin(ui -> {
                ui.setUiPath("/apidocs/");
                ui.setDocumentationPath("/openapi.json");
                ui.setTitle("Attendance API");
                ui.setValidatorUrl(null); // no calls to validator.swagger.io
            }));
            cfg.router.mount(router -> {
                // Before every matched write route, present and future (PUT, DELETE, ...): the optional write token.
                router.beforeMatched(new WriteGuard(config.auth()));
                // Query strings that are not UTF-8 or carry NUL, refused for every route before PostgreSQL sees them.
                router.beforeMatched(new QueryGuard());
                readRoute(router, V1 + "/health", health::health);
                readRoute(router, V1 + "/health/detail", health::detail);
                router.post(V1 + "/create", attendance::create);
                router.options(V1 + "/create", allow("OPTIONS, POST"));
                readRoute(router, V1 + "/search", ctx -> {
                    if (RecordsController.isFilteredSearch(ctx)) {
                        records.search(ctx);
                    } else {
                        attendance.search(ctx);
                    }
                });
                readRoute(router, V1 + "/search/all", ctx -> {
                    if (RecordsController.isPagedSearchAll(ctx)) {
                        records.searchAll(ctx);
                    } else {
                        attendance.searchAll(ctx);
                    }
                });
                // Beyond Flask (issue 5). /{id} comes last: the fixed paths above must match first.
                router.post(V1 + "/bulk", records::bulk);
                router.options(V1 + "/bulk", allow("OPTIONS, POST"));
                readRoute(router, V1 + "/export.csv", records::export);
                readRoute(router, V1 + "/summary", records::summary);
                // A route, not a before-handler on /{id}: that one ran its path match on every request (issue 7).
                router.put(V1 + "/{id}", onRecordPath(records::update));
                router.delete(V1 + "/{id}", onRecordPath(records::delete));
                router.options(V1 + "/{id}", allow("OPTIONS, PUT, DELETE"));
                router.get(V1 + "/{id}", AttendanceApi::notARecordMethod);
                router.head(V1 + "/{id}", AttendanceApi::notARecordMethod);
                router.post(V1 + "/{id}", AttendanceApi::notARecordMethod);
                router.patch(V1 + "/{id}", AttendanceApi::notARecordMethod);
                readRoute(router, "/metrics", ctx -> ctx.contentType(TextFormat.CONTENT_TYPE_004).result(metrics.scrape()));
                router.get("/apidocs", ctx -> ctx.redirect("/apidocs/", HttpStatus.PERMANENT_REDIRECT));
                router.get("/apidocs/index.html", ctx -> ctx.redirect("/apidocs/", HttpStatus.FOUND));
            });
        });
        implicitMethods.addTo(app);
        errors.register(app);
        return app;
    }

    /**
     * Keeps the Flask answers on one-segment paths that /{id} also matches (only the methods the fixed route lacks
     * get here): a fixed route keeps its 405, and any other word stays 404 (API.md: unknown path), not 405.
     */
    private static void notARecordMethod(Context ctx) {
        String allowed = FIXED.get(ctx.path());
        if (allowed != null) {
            throw new MethodNotAllowedResponse("Method not allowed", Map.of("availableMethods", allowed));
        }
        throw new NotFoundResponse();
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

    /** GET, HEAD running the same handler (Jetty sends no body), and OPTIONS, as Flask answered them. */
    private static void readRoute(JavalinDefaultRouting router, String path, Handler handler) {
        router.get(path, handler);
        router.head(path, handler);
        router.options(path, allow("OPTIONS, GET, HEAD"));
    }

    private static Handler allow(String methods) {
        return ctx -> ctx.header("Allow", methods).status(200);
    }

    private static Consumer<OpenApiPluginConfiguration> spec(String path) {
        return openapi -> openapi
                .withDocumentationPath(path)
                .withDefinitionConfiguration((version, definition) -> definition.withInfo(info -> {
                    info.setTitle("Attendance API");
                    info.setVersion(App.VERSION);
                    info.setDescription("Employee attendance records: a drop-in replacement for the Flask attendance-api");
                }));
    }
}
