package org.otmicroservices.attendance.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
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
 * declared here too, once for the three routes that have them.
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

    private ApiSpec() {}

    private static final String SEARCH = Routes.V1 + "/search";
    private static final Map<String, String> SEARCH_SHAPES = Map.of(
            "200", "{\"oneOf\":[{\"$ref\":\"#/components/schemas/RecordView\"},"
                    + "{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/RecordView\"}}]}",
            "400", "{\"oneOf\":[{\"$ref\":\"#/components/schemas/Message\"},{\"$ref\":\"#/components/schemas/ValidationError\"}]}");

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
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            for (Iterator<Map.Entry<String, JsonNode>> ops = paths.next().getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                for (JsonNode parameter : op.getValue().path("parameters")) {
                    String rules = PARAMETER_SCHEMAS.get(parameter.path("name").asText());
                    if (rules != null && "query".equals(parameter.path("in").asText())) {
                        ((ObjectNode) parameter).set("schema", schema(rules));
                    }
                }
                if (WRITES.contains(op.getKey()) && op.getValue() instanceof ObjectNode operation) {
                    ArrayNode security = operation.putArray("security");
                    security.addObject(); // no credentials: a service without a write token
                    security.addObject().putArray(WRITE_TOKEN);
                }
            }
        }
        for (String path : CONDITIONAL) {
            conditional((ObjectNode) doc.path("paths").path(path).path("get"));
        }
        JsonNode searchResponses = doc.path("paths").path(SEARCH).path("get").path("responses");
        SEARCH_SHAPES.forEach((status, shape) ->
                ((ObjectNode) searchResponses.path(status).path("content").path("application/json")).set("schema", schema(shape)));
        return doc.toString();
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
