package org.otmicroservices.attendance;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.router.JavalinDefaultRouting;
import io.javalin.openapi.plugin.OpenApiPlugin;
import io.javalin.openapi.plugin.OpenApiPluginConfiguration;
import io.javalin.openapi.plugin.swagger.SwaggerPlugin;
import io.prometheus.client.exporter.common.TextFormat;
import java.util.function.Consumer;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The HTTP surface: one route table mirroring the Flask routes, the API docs, metrics and the access log. */
final class AttendanceApi {
    static final String V1 = "/api/v1/attendance";

    private AttendanceApi() {}

    static Javalin create(Config config, AttendanceController attendance, HealthController health,
                          Metrics metrics, RequestLog requestLog, ErrorMapper errors) {
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.prefer405over404 = true;
            cfg.http.disableCompression(); // as Flask; nginx in front may compress
            cfg.http.maxRequestSize = config.server().maxBodyBytes();
            cfg.jetty.clientAbortStatus = 499; // nginx's "client closed request", not Javalin's default 500
            cfg.router.ignoreTrailingSlashes = false; // Flask answers 404 for /health/
            QueuedThreadPool threads = new QueuedThreadPool(config.server().maxThreads(), 8, 60_000);
            threads.setName("http");
            cfg.jetty.threadPool = threads;
            // Jetty's default stop timeout is 0, which cuts in-flight requests on SIGTERM.
            cfg.jetty.modifyServer(server -> server.setStopTimeout(10_000));
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
                readRoute(router, V1 + "/health", health::health);
                readRoute(router, V1 + "/health/detail", health::detail);
                router.post(V1 + "/create", attendance::create);
                router.options(V1 + "/create", allow("OPTIONS, POST"));
                readRoute(router, V1 + "/search", attendance::search);
                readRoute(router, V1 + "/search/all", attendance::searchAll);
                readRoute(router, "/metrics", ctx -> ctx.contentType(TextFormat.CONTENT_TYPE_004).result(metrics.scrape()));
                router.get("/apidocs", ctx -> ctx.redirect("/apidocs/", HttpStatus.PERMANENT_REDIRECT));
                router.get("/apidocs/index.html", ctx -> ctx.redirect("/apidocs/", HttpStatus.FOUND));
            });
        });
        errors.register(app);
        return app;
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
