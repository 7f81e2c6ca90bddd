package org.otmicroservices.attendance.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Every answer the tests receive from the service, held against its OpenAPI document: the status is declared for
 * the operation, the content type for the status, and a JSON body matches the declared schema (a JSON-schema
 * validator with OpenAPI 3.0's dialect). The shared clients (Http, RawHttp) call it on each response, so every
 * test checks the contract, new ones too.
 *
 * The document is the one this build serves, made as the service makes it (the plugin's generated document, then
 * ApiSpec.finish) rather than fetched, so the check adds no request to any test's access log; SpecCheckTest
 * compares it with the served one. Paths the document does not name (an unknown path, Prometheus's API) are
 * outside the contract, and so are methods a path lacks (TRACE, a wrong method), except that they must be
 * refused (404, 405, or 400 for a request Jetty could not route).
 */
public final class SpecCheck {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDialect(Dialects.getOpenApi30());
    private static final JsonNode SPEC = load();
    private static final Map<JsonNode, Schema> COMPILED = new ConcurrentHashMap<>();
    private static final List<Integer> REFUSED = List.of(400, 404, 405);

    private SpecCheck() {}

    /** The document the checks use. */
    public static JsonNode document() {
        return SPEC;
    }

    public static void check(HttpResponse<?> response) {
        URI uri = response.request().uri();
        check(response.request().method(), uri.getRawPath(), response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), response.body() instanceof String text ? text : null);
    }

    /**
     * target: the request target as sent (path and query, not always a valid URI); body: the text received, or
     * null when the test read it in another form (bytes, a stream, discarded).
     */
    public static void check(String method, String target, int status, String contentType, String body) {
        JsonNode item = pathItem(target.split("\\?", 2)[0]);
        if (item == null) {
            return;
        }
        String where = method + " " + target + " → " + status;
        JsonNode operation = item.get(method.toLowerCase(Locale.ROOT));
        if (operation == null) {
            if (!REFUSED.contains(status)) {
                throw new AssertionError(where + ": the path does not declare " + method + ", so it must be refused");
            }
            return;
        }
        JsonNode responses = operation.path("responses");
        JsonNode response = responses.has(String.valueOf(status)) ? responses.get(String.valueOf(status)) : responses.get("default");
        if (response == null) {
            throw new AssertionError(where + ": status not declared (declared: " + names(responses) + "); body " + excerpt(body));
        }
        if (method.equals("HEAD") || (body == null ? contentType == null : body.isEmpty())) {
            return;
        }
        JsonNode content = response.path("content");
        String media = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (!content.has(media)) {
            throw new AssertionError(where + ": content type '" + contentType + "' not declared (declared: "
                    + names(content) + "); body " + excerpt(body));
        }
        JsonNode schema = content.path(media).get("schema");
        if (schema != null && body != null && media.equals("application/json")) {
            validate(schema, where, body);
        }
    }

    private static void validate(JsonNode schema, String where, String body) {
        JsonNode json;
        try {
            json = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(where + ": declared JSON, but the body is not: " + excerpt(body), e);
        }
        // The declared schema refers to #/components/schemas/..., resolved against the document it sits in.
        Schema compiled = COMPILED.computeIfAbsent(schema, s -> {
            ObjectNode root = MAPPER.createObjectNode();
            root.putArray("allOf").add(s);
            root.set("components", SPEC.path("components"));
            return SCHEMAS.getSchema(root);
        });
        var errors = compiled.validate(json);
        if (!errors.isEmpty()) {
            throw new AssertionError(where + ": body does not match its schema: " + errors + "; body " + excerpt(body));
        }
    }

    private static JsonNode pathItem(String path) {
        JsonNode paths = SPEC.path("paths");
        if (paths.has(path)) {
            return paths.get(path);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().contains("{") && template(entry.getKey()).matcher(path).matches()) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static Pattern template(String path) {
        StringBuilder regex = new StringBuilder();
        for (String part : path.split("\\{[^}]+}", -1)) {
            if (regex.length() > 0) {
                regex.append("[^/]+");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    private static JsonNode load() {
        try (InputStream generated = SpecCheck.class.getResourceAsStream("/openapi-plugin/openapi-default.json")) {
            return MAPPER.readTree(ApiSpec.finish((ObjectNode) MAPPER.readTree(generated)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String excerpt(String body) {
        return body == null ? "(not read as text)" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }
}
