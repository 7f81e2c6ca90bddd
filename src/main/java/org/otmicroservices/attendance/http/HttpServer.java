package org.otmicroservices.attendance.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HandlerType;
import io.javalin.openapi.plugin.OpenApiPlugin;
import io.javalin.openapi.plugin.OpenApiPluginConfiguration;
import io.javalin.openapi.plugin.swagger.SwaggerPlugin;
import io.javalin.util.JavalinBindException;
import java.time.Duration;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.metrics.Metrics;
import org.otmicroservices.attendance.util.Causes;

/**
 * The HTTP server around the route table: Jetty's settings, the API docs, metrics and the access log of every
 * request, JSON for every error, and a stop that loses no request.
 */
public final class HttpServer implements AutoCloseable {
    static final int RESULT_COPY_BUFFER_BYTES = 1024;
    private final Javalin javalin;
    private final RequestLog requestLog;
    private final ImplicitMethods implicitMethods = new ImplicitMethods();

    /** Everything but the routes (mount), which need the database: Javalin and its plugins are built meanwhile. */
    public HttpServer(Config.Server server, Metrics metrics, Json json, RequestLog requestLog, String version) {
        this.requestLog = requestLog;
        javalin = Javalin.create(cfg -> {
            implicitMethods.watch(cfg);
            jetty(cfg, server, json);
            cfg.requestLogger.http((ctx, ms) -> {
                // Unmatched requests share one label, so scanners cannot grow the metric without bound.
                String route = ctx.handlerType() == HandlerType.BEFORE ? "<unmatched>" : ctx.endpointHandlerPath();
                metrics.observe(ctx.method().name(), route, ctx.statusCode(), ms / 1000.0);
                requestLog.log(ctx, ms);
            });
            apiDocs(cfg, version);
        });
        new ErrorMapper(json).register(javalin);
    }

    /** Adds the route table, then HEAD and OPTIONS where a plugin's GET route has none; once, before start. */
    public void mount(Routes routes) {
        routes.addTo(javalin);
        implicitMethods.addTo(javalin);
    }

    private static void jetty(JavalinConfig cfg, Config.Server server, Json json) {
        cfg.showJavalinBanner = false;
        cfg.http.prefer405over404 = true;
        cfg.http.disableCompression(); // as Flask; nginx in front may compress
        cfg.http.maxRequestSize = server.maxBodyBytes();
        cfg.jetty.clientAbortStatus = 499; // nginx's "client closed request", not Javalin's default 500
        cfg.router.ignoreTrailingSlashes = false; // Flask answers 404 for /health/
        // Javalin copies every result() body to the response through a buffer of this size, allocated anew per
        // response; unset it is Jetty's output buffer, 32 KiB, so a 70-byte health answer allocated 32 KiB and a
        // burst of 1,000 connections ~32 MB, young collections in the middle of the burst (docs/PERFORMANCE.md,
        // the connection burst). Chunks of up to 8 KiB are gathered in Jetty's output buffer anyway, so a big
        // body still leaves in the same writes; the service's result() bodies are a few hundred bytes.
        cfg.http.responseBufferSize = RESULT_COPY_BUFFER_BYTES;
        QueuedThreadPool threads = new QueuedThreadPool(server.maxThreads(), 8, 60_000);
        threads.setName("http");
        cfg.jetty.threadPool = threads;
        // Jetty's default stop timeout is 0, which cuts in-flight requests on SIGTERM. Set it only once
        // started: the graceful stop that Javalin runs after a failed start (port in use) would throw and
        // replace the bind error with "IllegalStateException: STOPPED", then hold the exit for seconds.
        cfg.jetty.modifyServer(jetty -> jetty.addEventListener(new LifeCycle.Listener() {
            // Javalin adds its connector just before it starts the server: this is the first moment it exists,
            // and the last before the socket is bound with its backlog.
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                for (Connector connector : jetty.getConnectors()) {
                    if (connector instanceof ServerConnector listening) {
                        listening.setAcceptQueueSize(server.acceptQueue());
                    }
                }
            }

            @Override
            public void lifeCycleStarted(LifeCycle event) {
                jetty.setStopTimeout(10_000);
            }
        }));
        // Requests Jetty refuses itself (unparsable, URI or headers too long) get JSON too, not an HTML page.
        cfg.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JettyErrorHandler(json)));
    }

    private static void apiDocs(JavalinConfig cfg, String version) {
        cfg.registerPlugin(new OpenApiPlugin(spec("/openapi.json", version)));
        // The Flask (flasgger) path of the spec; the plugin is registered once per path.
        cfg.registerPlugin(new OpenApiPlugin(spec("/apispec_1.json", version)) {});
        cfg.registerPlugin(new SwaggerPlugin(ui -> {
            ui.setUiPath("/apidocs/");
            ui.setDocumentationPath("/openapi.json");
            ui.setTitle("Attendance API");
            ui.setValidatorUrl(null); // no calls to validator.swagger.io
        }));
    }

    private static Consumer<OpenApiPluginConfiguration> spec(String path, String version) {
        return openapi -> openapi
                .withDocumentationPath(path)
                .withDefinitionConfiguration((v, definition) -> definition.withInfo(info -> {
                    info.setTitle("Attendance API");
                    info.setVersion(version);
                    info.setDescription("Employee attendance records: a drop-in replacement for the Flask attendance-api");
                }).withDefinitionProcessor(ApiSpec::finish));
    }

    /** Listens on host:port (port 0: any free port); a port that cannot be had is a ListenException. */
    public void start(String host, int port) {
        try {
            javalin.start(host, port);
        } catch (JavalinBindException e) {
            // Causes.rootMessage: the java.net.BindException under Jetty's "Failed to bind to ...".
            throw new ListenException("cannot listen on " + host + ":" + port + ": " + Causes.rootMessage(e)
                    + " (set server.port or SERVER_PORT)");
        }
    }

    public int port() {
        return javalin.port();
    }

    /** Stops taking connections, serves those already accepted (up to 10 s), then stops and flushes the access log. */
    @Override
    public void close() {
        GracefulStop.closeListenersAndDrain(javalin.jettyServer().server(), Duration.ofSeconds(10));
        javalin.stop();
        requestLog.close();
    }

    /** The HTTP port cannot be had (in use, or privileged): an operator's mistake, told in one line. */
    public static final class ListenException extends RuntimeException {
        ListenException(String message) {
            super(message);
        }
    }
}
