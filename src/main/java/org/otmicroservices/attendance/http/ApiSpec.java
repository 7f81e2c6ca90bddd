package org.otmicroservices.attendance.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.otmicroservices.attendance.model.RecordInput;
import org.otmicroservices.attendance.model.RecordQuery;

/**
 * What the OpenAPI document needs beyond what the plugin writes from the annotations, applied to the document it
 * generated (once, on the first request for it). The plugin writes "servers": [] and "security": null, which are
 * not valid OpenAPI 3 (SpecTest parses the served document and fails on any message); and the write token is
 * optional, which its annotations cannot say: a write operation accepts no credentials or the bearer token.
 * Nor can they give a parameter's rules, which clients generated from the document and API fuzzers need so as
 * not to send values the service refuses: those of RecordQuery and BulkImport, by parameter name. And search
 * answers two shapes (one record for an id, an array for filters; Flask's message or a Validation Error for a
 * 400), which the annotations can only give one of. The cached reads' conditional GETs (CachedReads) are
 * declared here too, once for the three routes that have them; and the links that chain a record's operations.
 */
final class ApiSpec {
    static final String WRITE_TOKEN = "WriteToken";
    private static final Set<String> WRITES = Set.of("post", "put", "patch", "delete");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The schema of each query parameter that has rules (strict yyyy-MM-dd dates, the page size, the modes). */
    private static final Map<String, String> PARAMETER_SCHEMAS = Map.of(
            "date", "{\"type\":\"string\",\"format\":\"date\"}",
            "from", "{\"type\":\"string\",\"format\":\"date\"}",
            "to", "{\"type\":\"string\",\"format\":\"date\"}",
            "limit", "{\"type\":\"integer\",\"format\":\"int32\",\"minimum\":1,\"maximum\":" + RecordQuery.MAX_LIMIT + "}",
            "on_conflict", "{\"type\":\"string\",\"enum\":[\"error\",\"skip\",\"update\"],\"default\":\"error\"}");

    /** Body field rules, by schema and property (the plugin writes a length rule as a string, not a number). */
    private static final String DATE = "{\"format\":\"date\",\"description\":\"yyyy-MM-dd. Other spellings PostgreSQL"
            + " reads as a date are taken too, as Flask took them\"}";
    private static final Map<String, String> PROPERTY_RULES = Map.of(
            "CreateBody.id", "{\"minLength\":1,\"maxLength\":" + RecordInput.MAX_ID_LENGTH + "}",
            "CreateBody.date", DATE,
            "UpdateBody.date", DATE,
            "SummaryDay.date", "{\"format\":\"date\"}");

    /** The record's life as operations a stateful client can chain: create, then search, update, delete it. */
    private static final Map<String, String> LINKS = Map.of(
            "createRecord", links("$request.body#/id", "searchRecord", "updateRecord", "deleteRecord"),
            "updateRecord", links("$request.path.id", "searchRecord", "deleteRecord"),
            "searchRecord", links("$request.query.id", "updateRecord", "deleteRecord"));

    private ApiSpec() {}

    private static String links(String id, String... operations) {
        StringBuilder json = new StringBuilder("{");
        for (String operation : operations) {
            json.append(json.length() > 1 ? "," : "").append('"').append(operation).append("\":{\"operationId\":\"")
                    .append(operation).append("\",\"parameters\":{\"id\":\"").append(id).append("\"}}");
        }
        return json.append('}').toString();
    }

    private static final String SEARCH = Routes.V1 + "/search";
    private static final Map<String, String> SEARCH_SHAPES = Map.of(
            "200", "{\"oneOf\":[{\"$ref\":\"#/components/schemas/RecordView\"},"
                    + "{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/RecordView\"}}]}",
            "400", "{\"oneOf\":[{\"$ref\":\"#/components/schemas/Message\"},{\"$ref\":\"#/components/schemas/ValidationError\"}]}");

    private static final String ERROR_REF = "#/components/schemas/Error";

    /**
     * The routes Routes serves beyond the annotated handlers: the Prometheus scrape, and the documentation itself
     * (Swagger UI, this document at both of its paths).
     */
    private static final String SERVICE_PATHS = """
            {"/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus metrics, text exposition format 0.0.4",
               "responses": {"200": {"description": "The metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
             "/apidocs/": {"get": {"operationId": "swaggerUi", "summary": "Swagger UI for this document",
               "responses": {"200": {"description": "The UI's page", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
             "/apidocs": {"get": {"operationId": "swaggerUiRedirect", "summary": "Redirects to /apidocs/",
               "responses": {"308": {"description": "Permanent Redirect to /apidocs/",
                 "content": {"text/plain": {"schema": {"type": "string"}}},
                 "headers": {"Location": {"schema": {"type": "string", "enum": ["/apidocs/"]}}}}}}},
             "/openapi.json": {"get": {"operationId": "openApiDocument", "summary": "This document",
               "responses": {"200": {"description": "OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
             "/apispec_1.json": {"get": {"operationId": "openApiDocumentFlaskPath", "summary": "This document, at Flask's path",
               "responses": {"200": {"description": "OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}}}}}}
            """;

    /** The GET routes served through CachedReads: ETag, Cache-Control, If-None-Match and 304. */
    private static final Set<String> CONDITIONAL = Set.of(SEARCH, Routes.V1 + "/search/all", Routes.V1 + "/summary");

    static String finish(ObjectNode doc) {
        if (doc.path("servers").isEmpty()) {
            doc.remove("servers");
        }
        if (doc.path("security").isNull() || doc.path("security").isEmpty()) {
            doc.remove("security");
        }
        ObjectNode schemes = ((ObjectNode) doc.path("components")).putObject("securitySchemes");
        schemes.putObject(WRITE_TOKEN).put("type", "http").put("scheme", "bearer").put("description",
                "Needed by every write (POST, PUT, DELETE) only when the service has a write token configured"
                        + " (auth.write_token or ATTENDANCE_WRITE_TOKEN); without one, writes are open, as in Flask,"
                        + " and a write without the token answers 401 where one is configured.");
        PROPERTY_RULES.forEach((property, rules) -> {
            String[] at = property.split("\\.");
            ((ObjectNode) doc.path("components").path("schemas").path(at[0]).path("properties").path(at[1]))
                    .setAll((ObjectNode) schema(rules));
        });
        ObjectNode paths = (ObjectNode) doc.path("paths");
        paths.setAll((ObjectNode) schema(SERVICE_PATHS));
        JsonNode searchResponses = paths.path(SEARCH).path("get").path("responses");
        SEARCH_SHAPES.forEach((status, shape) ->
                ((ObjectNode) searchResponses.path(status).path("content").path("application/json")).set("schema", schema(shape)));
        for (String path : CONDITIONAL) {
            conditional((ObjectNode) paths.path(path).path("get"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> items = paths.fields(); items.hasNext(); ) {
            Map.Entry<String, JsonNode> item = items.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = item.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                operation(op.getKey(), (ObjectNode) op.getValue());
            }
            implicitMethods(item.getKey(), (ObjectNode) item.getValue());
        }
        return doc.toString();
    }

    /** One operation's parameter rules, links, security, and the answers every route can give. */
    private static void operation(String method, ObjectNode operation) {
        for (JsonNode parameter : operation.path("parameters")) {
            String rules = PARAMETER_SCHEMAS.get(parameter.path("name").asText());
            if (rules != null && "query".equals(parameter.path("in").asText())) {
                ((ObjectNode) parameter).set("schema", schema(rules));
            }
        }
        ObjectNode responses = (ObjectNode) operation.path("responses");
        String links = LINKS.get(operation.path("operationId").asText());
        if (links != null) {
            ((ObjectNode) responses.path("200")).set("links", schema(links));
        }
        if (WRITES.contains(method)) {
            ArrayNode security = operation.putArray("security");
            security.addObject(); // no credentials: a service without a write token
            security.addObject().putArray(WRITE_TOKEN);
            responses.set("401", error("A write token is configured and the request does not carry it"));
        }
        // Before any route runs: Jetty's refusals of a request it cannot route (a malformed target, a URI or headers
        // too large; JettyErrorHandler writes them), the query guard's 400, ErrorMapper's last resort, and the rate
        // limit of the shipped nginx front.
        JsonNode badRequest = responses.path("400").path("content").path("application/json").path("schema");
        if (badRequest.isMissingNode()) {
            responses.set("400", error("A request refused before the route ran: a malformed target or query string"));
        } else if (!badRequest.path("oneOf").isArray() && !ERROR_REF.equals(badRequest.path("$ref").asText())) {
            ObjectNode either = MAPPER.createObjectNode();
            either.putArray("oneOf").add(badRequest).add(schema("{\"$ref\":\"" + ERROR_REF + "\"}"));
            ((ObjectNode) responses.path("400").path("content").path("application/json")).set("schema", either);
        }
        responses.set("414", error("URI Too Long, refused before routing"));
        responses.set("431", error("Request Header Fields Too Large, refused before routing"));
        responses.set("500", error("Internal Server Error: the server could not complete the request"));
        responses.set("429", error("Too Many Requests: from the nginx front of docs/nginx (limit_req), which answers it"
                + " in this shape; the service itself does not limit"));
    }

    /**
     * HEAD runs the GET handler without a body, and OPTIONS lists the path's methods (Routes): declared too, so a
     * client or fuzzer that sends them finds their answers in the document.
     */
    private static void implicitMethods(String path, ObjectNode item) {
        if (item.has("get")) {
            ObjectNode head = item.get("get").deepCopy();
            head.put("operationId", head.path("operationId").asText() + "Head");
            head.remove("description");
            head.put("summary", "The GET's status and headers, without a body");
            for (JsonNode response : head.path("responses")) {
                ((ObjectNode) response).remove(List.of("content", "links"));
            }
            item.set("head", head);
        }
        String allowed = Routes.allowedOn(path);
        ObjectNode options = MAPPER.createObjectNode();
        options.put("summary", "The methods this path accepts, in the Allow header");
        for (JsonNode operation : item) {
            for (JsonNode parameter : operation.path("parameters")) {
                if ("path".equals(parameter.path("in").asText()) && !options.has("parameters")) {
                    options.putArray("parameters").add(parameter);
                }
            }
        }
        options.putObject("responses").putObject("200").put("description", "No body")
                .putObject("headers").putObject("Allow").put("description", allowed == null ? "OPTIONS, GET, HEAD" : allowed)
                .putObject("schema").put("type", "string");
        operation("options", options);
        item.set("options", options);
    }

    private static ObjectNode error(String description) {
        ObjectNode response = MAPPER.createObjectNode().put("description", description);
        response.putObject("content").putObject("application/json").putObject("schema").put("$ref", ERROR_REF);
        return response;
    }

    private static void conditional(ObjectNode get) {
        ((ArrayNode) get.withArray("parameters")).add(schema("{\"name\":\"If-None-Match\",\"in\":\"header\","
                + "\"description\":\"The ETag of a copy the client holds: 304 with no body while it is current\","
                + "\"schema\":{\"type\":\"string\"}}"));
        ObjectNode responses = (ObjectNode) get.path("responses");
        JsonNode tagged = schema("{\"ETag\":{\"description\":\"Strong entity tag of the body; absent while the cache is"
                + " off or unreachable, and on answers too large to buffer\",\"schema\":{\"type\":\"string\"}},"
                + "\"Cache-Control\":{\"description\":\"no-cache: revalidate with If-None-Match before reusing a copy\","
                + "\"schema\":{\"type\":\"string\",\"enum\":[\"no-cache\"]}}}");
        ((ObjectNode) responses.path("200")).set("headers", tagged);
        responses.putObject("304").put("description", "Not Modified: the If-None-Match copy is current (no body)")
                .set("headers", tagged);
    }

    private static JsonNode schema(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(json, e);
        }
    }
}
