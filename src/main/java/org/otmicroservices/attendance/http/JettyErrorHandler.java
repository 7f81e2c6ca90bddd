package org.otmicroservices.attendance.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * JSON for the errors Jetty answers itself, before any Javalin route or exception mapper runs: a request line or
 * header it cannot parse (400), a URI or headers over its limits (414, 431). Jetty's default is an HTML page.
 */
final class JettyErrorHandler extends ErrorHandler {
    private final Json json;

    JettyErrorHandler(Json json) {
        this.json = json;
        setShowStacks(false);
        setShowServlet(false);
    }

    /** Requests refused while parsing, before a request object exists. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }

    /** Errors Jetty sends for a parsed request (response.sendError) that no Javalin handler wrote. */
    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
                                              int code, String message) throws IOException {
        baseRequest.setHandled(true);
        response.setContentType("application/json");
        response.getOutputStream().write(body(code, message));
    }

    private byte[] body(int status, String reason) {
        String error = HttpStatus.getMessage(status);
        // The reason is Jetty's own short phrase ("URI Too Long", "Ambiguous URI path"); never a stack trace.
        String text = reason == null || reason.isBlank() || reason.equals(error) ? "" : ": " + reason.lines().findFirst().orElse("");
        return json.bytes(new Bodies.Error(error, "Bad request, refused before routing (" + error + text + ")"));
    }
}
