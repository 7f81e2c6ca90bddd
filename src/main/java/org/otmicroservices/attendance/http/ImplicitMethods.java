package org.otmicroservices.attendance.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.event.HandlerMetaInfo;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * HEAD and OPTIONS for the GET routes that plugins register (the API docs and spec), as Werkzeug answered
 * them on every route. Javalin answers HEAD there with an empty 200 without running the GET handler (no
 * Location on the /apidocs redirect, a wrong Content-Type) and OPTIONS not at all (405).
 */
final class ImplicitMethods {
    private final Map<String, Handler> gets = new LinkedHashMap<>();
    private final Set<String> heads = new HashSet<>();
    private final Set<String> options = new HashSet<>();

    /** Records every route as it is registered, the plugins' included. */
    void watch(JavalinConfig cfg) {
        cfg.events.handlerAdded(this::added);
    }

    /** Adds HEAD (the GET handler; Jetty drops the body) and OPTIONS where a GET route has none of its own. */
    void addTo(Javalin app) {
        for (Map.Entry<String, Handler> get : Map.copyOf(gets).entrySet()) {
            String path = get.getKey();
            if (!heads.contains(path)) {
                app.addEndpoint(new Endpoint(HandlerType.HEAD, path, get.getValue()));
            }
            if (!options.contains(path)) {
                app.addEndpoint(new Endpoint(HandlerType.OPTIONS, path, ctx -> ctx.header("Allow", "OPTIONS, GET, HEAD").status(200)));
            }
        }
    }

    private void added(HandlerMetaInfo info) {
        switch (info.getHttpMethod()) {
            case GET -> gets.put(info.getPath(), info.getHandler());
            case HEAD -> heads.add(info.getPath());
            case OPTIONS -> options.add(info.getPath());
            default -> { }
        }
    }
}
