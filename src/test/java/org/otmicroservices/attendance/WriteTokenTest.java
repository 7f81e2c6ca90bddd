package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.http.Routes;
import org.otmicroservices.attendance.http.WriteGuard;
import org.otmicroservices.attendance.model.ApiError;

/** auth.write_token set: every write needs "Authorization: Bearer <token>" and changes nothing without it; reads stay open. */
class WriteTokenTest {
    private static final String TOKEN = "w-7f3c9a1e-token";
    private static final String V1 = Routes.V1;
    private static final String BODY = "{\"id\":\"9\",\"name\":\"Nine\",\"status\":\"Present\",\"date\":\"2023-01-09\"}";

    @RegisterExtension
    static final TestApp app = new TestApp(c -> TestConfigs.with(c, "auth.write_token", TOKEN));

    @BeforeEach
    void seeded() {
        app.reset();
        assertEquals(200, app.send(create(BODY.replace("\"9\"", "\"1\"")).header("Authorization", "Bearer " + TOKEN)).statusCode());
    }

    @Test
    void createWithoutTheRightBearerTokenIs401JsonAndStoresNothing() {
        List<List<String>> before = app.rows();
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("no header", null);
        refused.put("wrong token", "Bearer not-the-token");
        refused.put("token with a suffix", "Bearer " + TOKEN + "x");
        refused.put("token prefix only", "Bearer " + TOKEN.substring(0, 5));
        refused.put("empty bearer", "Bearer ");
        refused.put("token without the scheme", TOKEN);
        refused.put("basic scheme", "Basic " + Base64.getEncoder().encodeToString(("u:" + TOKEN).getBytes()));
        for (Map.Entry<String, String> e : refused.entrySet()) {
            HttpRequest.Builder r = create(BODY);
            if (e.getValue() != null) {
                r.header("Authorization", e.getValue());
            }
            HttpResponse<String> answer = app.send(r);
            assertEquals(401, answer.statusCode(), e.getKey());
            assertEquals("application/json", answer.headers().firstValue("Content-Type").orElse(""), e.getKey());
            assertEquals("{\"error\":\"Unauthorized\",\"message\":\"This write needs the header Authorization: Bearer <write token>\"}\n",
                    answer.body(), e.getKey());
            assertEquals("Bearer", answer.headers().firstValue("WWW-Authenticate").orElse(""), e.getKey());
            assertFalse(answer.body().contains(TOKEN), e.getKey());
            assertEquals(before, app.rows(), e.getKey() + ": nothing stored");
        }
        // Counted under the route, like any other answer of it.
        String metrics = app.get("/metrics").body();
        assertTrue(metrics.contains("flask_http_request_duration_seconds_count{method=\"POST\",path=\"" + V1 + "/create\",status=\"401\",} 7.0"),
                metrics.lines().filter(l -> l.contains("401")).toList().toString());
    }

    @Test
    void createWithTheBearerTokenWorksAndTheSchemeIsCaseInsensitive() {
        assertEquals(200, app.send(create(BODY).header("Authorization", "Bearer " + TOKEN)).statusCode());
        assertEquals(200, app.send(create(BODY.replace("\"9\"", "\"10\"")).header("Authorization", "bearer " + TOKEN)).statusCode());
        assertEquals(List.of("1", "10", "9"), app.rows().stream().map(r -> r.get(0)).toList());
    }

    @Test
    void everyWriteMethodIsGuardedWhateverItsRoute() {
        // By method, not path: a write route added later (PUT or DELETE of a record) is covered without a change here.
        for (HandlerType method : List.of(HandlerType.POST, HandlerType.PUT,
                HandlerType.PATCH, HandlerType.DELETE)) {
            ApiError refused = assertThrows(ApiError.class,
                    () -> new WriteGuard(new Config.Auth(TOKEN)).handle(FakeContext.of(method, null)), method.name());
            assertEquals(401, refused.status());
            new WriteGuard(new Config.Auth(TOKEN)).handle(FakeContext.of(method, "Bearer " + TOKEN));
        }
        for (HandlerType method : List.of(HandlerType.GET, HandlerType.HEAD,
                HandlerType.OPTIONS)) {
            new WriteGuard(new Config.Auth(TOKEN)).handle(FakeContext.of(method, null));
        }
    }

    /** Just enough of a Javalin Context for the guard: the method and the headers. */
    private static final class FakeContext {
        static Context of(HandlerType method, String authorization) {
            return (Context) Proxy.newProxyInstance(WriteTokenTest.class.getClassLoader(),
                    new Class<?>[] {Context.class}, (proxy, m, args) -> switch (m.getName()) {
                        case "method" -> method;
                        case "header" -> args.length == 1 ? ("Authorization".equals(args[0]) ? authorization : null) : proxy;
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    @Test
    void readsStayOpenWithoutAToken() {
        assertEquals(200, app.get(V1 + "/search?id=1").statusCode());
        assertEquals(200, app.get(V1 + "/search/all").statusCode());
        assertEquals(200, app.get(V1 + "/health").statusCode());
        assertEquals(200, app.get(V1 + "/health/detail").statusCode());
        assertEquals(200, app.get("/metrics").statusCode());
        assertEquals(200, app.send("OPTIONS", V1 + "/create", null, null).statusCode());
        assertEquals(200, app.send("HEAD", V1 + "/search/all", null, null).statusCode());
    }

    @Test
    void theTokenComesFromAttendanceWriteTokenAndIsNeverPrinted() {
        Config c = Config.load(Path.of("config.yaml"), Map.of("ATTENDANCE_WRITE_TOKEN", "from-env",
                "POSTGRES_PASSWORD", "pg-secret-5d1", "REDIS_PASSWORD", "redis-secret-8e2"));
        assertEquals("from-env", c.auth().writeToken());
        assertEquals("from-path-rule", Config.load(Path.of("config.yaml"), Map.of("AUTH_WRITE_TOKEN", "from-path-rule")).auth().writeToken());
        assertEquals(Config.Auth.NONE, Config.load(Path.of("config.yaml"), Map.of()).auth());
        assertEquals(Config.Auth.NONE, Config.load(Path.of("config.yaml"), Map.of("ATTENDANCE_WRITE_TOKEN", "")).auth());
        assertFalse(c.toString().contains("from-env"));
        // Records print every component unless told not to.
        assertFalse(c.toString().contains("pg-secret-5d1"), c.toString());
        assertFalse(c.toString().contains("redis-secret-8e2"), c.toString());
    }

    @Test
    void withoutATokenConfiguredWritesNeedNoneAsInFlask() {
        WriteGuard open = new WriteGuard(Config.Auth.NONE);
        assertTrue(open.authorized(null));
        assertTrue(open.authorized("Bearer anything"));
        WriteGuard guarded = new WriteGuard(new Config.Auth(TOKEN));
        assertTrue(guarded.authorized("Bearer " + TOKEN));
        assertTrue(guarded.authorized("BEARER  " + TOKEN + " "));
        assertFalse(guarded.authorized(null));
        assertFalse(guarded.authorized("Bearer"));
        assertFalse(guarded.authorized("Bearer " + TOKEN.toUpperCase()));
    }

    private static HttpRequest.Builder create(String body) {
        return HttpRequest.newBuilder(URI.create(app.url(V1 + "/create"))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }
}
