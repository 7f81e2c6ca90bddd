package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import io.swagger.v3.oas.models.media.Schema;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The served OpenAPI document, read as client generators read it: valid OpenAPI 3, with no parser message. */
class SpecTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    private static OpenAPI parse(String path) {
        HttpResponse<String> served = app.get(path);
        assertEquals(200, served.statusCode(), served.body());
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(served.body(), null, options);
        assertEquals(List.of(), result.getMessages(), "the parser's errors and warnings");
        assertNotNull(result.getOpenAPI());
        return result.getOpenAPI();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/openapi.json", "/apispec_1.json"})
    void theSpecIsValidOpenApi3WithoutAParserMessage(String path) {
        OpenAPI spec = parse(path);
        assertEquals("http", spec.getComponents().getSecuritySchemes().get("WriteToken").getType().toString());
        assertEquals("bearer", spec.getComponents().getSecuritySchemes().get("WriteToken").getScheme());
    }

    /** The rules the service enforces, so that generated clients and fuzzers send only what it accepts. */
    @org.junit.jupiter.api.Test
    void parametersCarryTheRulesTheServiceEnforces() {
        OpenAPI spec = parse("/openapi.json");
        Map<String, Schema<?>> search = params(spec.getPaths().get("/api/v1/attendance/search").getGet());
        for (String date : List.of("date", "from", "to")) {
            assertEquals("date", search.get(date).getFormat(), date);
        }
        Schema<?> limit = params(spec.getPaths().get("/api/v1/attendance/search/all").getGet()).get("limit");
        assertEquals(List.of(1, 10_000), List.of(limit.getMinimum().intValue(), limit.getMaximum().intValue()));
        assertEquals(List.of("error", "skip", "update"),
                params(spec.getPaths().get("/api/v1/attendance/bulk").getPost()).get("on_conflict").getEnum());
        assertNotNull(spec.getPaths().get("/api/v1/attendance/{id}").getDelete().getResponses().get("400"),
                "DELETE of a path that is not an id answers 400 (BadInputTest: \"DELETE of a path with malformed percent-encoding\")");
    }

    /** search answers a record for an id and an array for filters; a 400 is Flask's message or a Validation Error. */
    @org.junit.jupiter.api.Test
    void searchDeclaresBothOfItsShapes() {
        OpenAPI spec = parse("/openapi.json");
        var responses = spec.getPaths().get("/api/v1/attendance/search").getGet().getResponses();
        List<Schema> ok = responses.get("200").getContent().get("application/json").getSchema().getOneOf();
        assertEquals("#/components/schemas/RecordView", ok.get(0).get$ref());
        assertEquals("#/components/schemas/RecordView", ok.get(1).getItems().get$ref());
        List<Schema> shapes = responses.get("400").getContent().get("application/json").getSchema().getOneOf();
        List<String> refused = shapes.stream().map(shape -> shape.get$ref()).toList();
        assertEquals(List.of("#/components/schemas/Message", "#/components/schemas/ValidationError"), refused);
    }

    @org.junit.jupiter.api.Test
    void theCachedReadsDeclareTheirConditionalGets() {
        OpenAPI spec = parse("/openapi.json");
        for (String path : List.of("/api/v1/attendance/search", "/api/v1/attendance/search/all", "/api/v1/attendance/summary")) {
            Operation get = spec.getPaths().get(path).getGet();
            assertTrue(get.getParameters().stream().anyMatch(p -> p.getName().equals("If-None-Match") && p.getIn().equals("header")), path);
            assertNotNull(get.getResponses().get("304"), path);
            assertNotNull(get.getResponses().get("200").getHeaders().get("ETag"), path);
        }
    }

    /** create → search, update, delete by the created id; update → search, delete by the path's id. */
    @org.junit.jupiter.api.Test
    void theRecordOperationsAreLinked() {
        OpenAPI spec = parse("/openapi.json");
        var created = spec.getPaths().get("/api/v1/attendance/create").getPost().getResponses().get("200").getLinks();
        assertEquals(java.util.Set.of("searchRecord", "updateRecord", "deleteRecord"), created.keySet());
        created.forEach((name, link) -> {
            assertEquals(name, link.getOperationId());
            assertEquals(Map.of("id", "$request.body#/id"), link.getParameters());
        });
        var updated = spec.getPaths().get("/api/v1/attendance/{id}").getPut().getResponses().get("200").getLinks();
        assertEquals(Map.of("id", "$request.path.id"), updated.get("deleteRecord").getParameters());
    }

    /**
     * What any request can get before its route runs (Jetty's refusals, the query guard, the last-resort 500, the
     * nginx front's rate limit), a
     * write's 401, and HEAD and OPTIONS on every path: declared on every operation they apply to.
     */
    @org.junit.jupiter.api.Test
    void everyOperationDeclaresTheAnswersEveryRouteCanGive() {
        OpenAPI spec = parse("/openapi.json");
        spec.getPaths().forEach((path, item) -> {
            assertNotNull(item.getOptions(), path);
            assertEquals(item.getGet() != null, item.getHead() != null, path);
            item.readOperationsMap().forEach((method, operation) -> {
                for (String status : List.of("400", "414", "429", "431", "500")) {
                    assertNotNull(operation.getResponses().get(status), method + " " + path + " " + status);
                }
                boolean write = List.of("POST", "PUT", "DELETE").contains(method.name());
                assertEquals(write, operation.getResponses().get("401") != null, method + " " + path + " 401");
            });
        });
    }

    private static Map<String, Schema<?>> params(Operation operation) {
        Map<String, Schema<?>> schemas = new java.util.HashMap<>();
        operation.getParameters().forEach(p -> schemas.put(p.getName(), p.getSchema()));
        return schemas;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/openapi.json", "/apispec_1.json"})
    void writesAcceptNoCredentialsOrTheWriteTokenAndReadsNeedNone(String path) {
        OpenAPI spec = parse(path);
        List<SecurityRequirement> optionalToken = List.of(new SecurityRequirement(), new SecurityRequirement().addList("WriteToken"));
        Operation create = spec.getPaths().get("/api/v1/attendance/create").getPost();
        assertEquals(optionalToken, create.getSecurity());
        assertEquals(optionalToken, spec.getPaths().get("/api/v1/attendance/{id}").getDelete().getSecurity());
        List<SecurityRequirement> search = spec.getPaths().get("/api/v1/attendance/search").getGet().getSecurity();
        assertTrue(search == null || search.isEmpty(), "reads need no credentials: " + search);
        assertEquals(null, spec.getSecurity(), "no security for the whole API: reads are open");
    }
}
