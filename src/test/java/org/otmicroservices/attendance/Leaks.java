package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.otmicroservices.attendance.config.Config;

/** What a response body must never carry: stack traces, class names, SQL text, database errors, config values. */
final class Leaks {
    private static final List<String> INTERNALS = List.of(
            "Exception", "exception", "\tat ", ".java:", "Caused by", "org.", "java.", "javax.", "com.", "io.javalin",
            "jdbi", "Jdbi", "Hikari", "hikari", "liquibase", "Liquibase", "jedis", "Jedis", "jetty", "Jetty",
            "SELECT", "INSERT", "UPDATE ", "CAST(", "ON CONFLICT", "RETURNING", "DATABASECHANGELOG",
            "ERROR:", "SQLState", "SQL state", "syntax error", "invalid input syntax", "duplicate key", "violates",
            "relation \"", "Position:", "jdbc:", "redis://", "<html", "<HTML", "<h1>");

    private Leaks() {}

    /**
     * Fails if the body shows something internal. A pattern the request itself contains is skipped, since
     * echoing the client's own input back (an id in a 404 message) leaks nothing.
     */
    static void assertNone(String body, String request, Config config) {
        List<String> forbidden = new ArrayList<>(INTERNALS);
        forbidden.add(config.postgres().password());
        forbidden.add(config.postgres().database());
        forbidden.add(config.postgres().where());
        forbidden.add(":" + config.postgres().hosts().get(0).port());
        forbidden.add(":" + config.redis().port());
        forbidden.add(config.cache().keyPrefix());
        if (config.redis().password() != null) {
            forbidden.add(config.redis().password());
        }
        if (config.auth().writeToken() != null) {
            forbidden.add(config.auth().writeToken());
        }
        for (String pattern : forbidden) {
            if (pattern != null && !pattern.isEmpty() && body.contains(pattern)
                    && (request == null || !request.contains(pattern))) {
                fail("response body leaks \"" + pattern + "\": " + abbreviate(body));
            }
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...(" + s.length() + " chars)";
    }
}
