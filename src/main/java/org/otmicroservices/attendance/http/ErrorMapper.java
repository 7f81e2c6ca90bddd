package org.otmicroservices.attendance.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.MethodNotAllowedResponse;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.io.EofException;
import org.otmicroservices.attendance.db.Database;
import org.otmicroservices.attendance.model.ApiError;
import org.otmicroservices.attendance.util.Causes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure into the JSON error body of the wire contract: never HTML, never a stack trace or SQL text. */
final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    private final Json json;

    ErrorMapper(Json json) {
        this.json = json;
    }

    void register(Javalin app) {
        app.exception(ApiError.class, (e, ctx) -> write(ctx, e.status(),
                e.details() == null ? new Bodies.Error(e.error(), e.getMessage()) : new Bodies.ValidationError(e.error(), e.details())));
        app.exception(HttpResponseException.class, this::javalinError);
        app.exception(Exception.class, this::unexpected);
    }

    private void javalinError(HttpResponseException e, Context ctx) {
        HttpStatus status = HttpStatus.forStatus(e.getStatus());
        String message;
        if (e instanceof MethodNotAllowedResponse) {
            String own = Routes.allowedOn(ctx.path());
            String allowed = own != null ? own : optionsFirst(e.getDetails().getOrDefault("availableMethods", ""));
            ctx.header("Allow", allowed);
            // The request's own method: Javalin names every method it has no type for "INVALID".
            message = ctx.req().getMethod() + " is not allowed on " + ctx.path() + "; allowed: " + allowed;
        } else if (status == HttpStatus.NOT_FOUND) {
            message = "No route for " + ctx.req().getMethod() + " " + ctx.path();
        } else {
            message = e.getMessage();
        }
        write(ctx, e.getStatus(), new Bodies.Error(status.getMessage(), message));
    }

    /** Flask's order, as OPTIONS answers: "OPTIONS, GET, HEAD" where Javalin lists "GET, HEAD, OPTIONS". */
    private static String optionsFirst(String methods) {
        List<String> list = new ArrayList<>(List.of(methods.split(", ")));
        if (list.remove("OPTIONS")) {
            list.add(0, "OPTIONS");
        }
        return String.join(", ", list);
    }

    private void unexpected(Exception e, Context ctx) {
        if (Database.isUnavailable(e)) {
            LOG.warn("{} {}: database unavailable: {}", ctx.method(), ctx.path(), Causes.rootMessage(e));
            write(ctx, 503, new Bodies.Error("Service Unavailable", "The database is unavailable; try again shortly"));
            return;
        }
        if (clientGone(e)) {
            // The client closed the connection mid-response (a load balancer's time-out, a cancelled download):
            // no server error, and nothing can be answered (writing a 500 waited for Jetty's idle timeout).
            // 499 in the access log, as Javalin does for an EofException thrown directly (see HttpServer).
            LOG.debug("{} {}: client closed the connection during the response", ctx.method(), ctx.path());
            ctx.status(499);
            return;
        }
        LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
        write(ctx, 500, new Bodies.Error("Internal Server Error", "The server could not complete the request"));
    }

    /** Jetty's EofException: the response could not be written because the client went away. */
    private static boolean clientGone(Throwable e) {
        return Causes.find(e, EofException.class).isPresent();
    }

    private void write(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(json.bytes(body));
    }
}
