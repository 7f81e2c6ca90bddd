package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.http.Routes;

/**
 * No PostgreSQL or Redis password, and no write token, in any line the service prints (stdout and stderr of the
 * jar, start to exit) or in /metrics. Non-default secrets, each unique, so a match cannot be a coincidence: the
 * test creates a PostgreSQL login of its own; the Redis password is one the shared Redis does not expect, so the
 * failure paths, where secrets usually leak, are exercised too.
 */
class SecretsIT {
    private static final String V1 = Routes.V1;
    private static final String PG_PASSWORD = "pg-" + UUID.randomUUID();
    private static final String REDIS_PASSWORD = "redis-" + UUID.randomUUID();
    private static final String TOKEN = "token-" + UUID.randomUUID();

    @RegisterExtension
    static final JarProcess.Launcher jar = new JarProcess.Launcher();
    static String role;
    static String database;

    @BeforeAll
    static void ownLogin() {
        role = jar.env.runId + "_secrets";
        database = jar.env.createDatabase();
        jar.env.execute("postgres", "CREATE ROLE " + role + " LOGIN PASSWORD '" + PG_PASSWORD + "'");
        jar.env.execute(database, "GRANT ALL ON SCHEMA public TO " + role);
    }

    @AfterAll
    static void dropLogin() {
        if (role != null) {
            jar.env.execute(database, "DROP OWNED BY " + role);
            jar.env.execute("postgres", "DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void noSecretInAnyLogLineOrMetricOfARun(@TempDir Path dir) {
        Config config = credentials(role, "from-env");
        TestConfigs.write(dir, config);
        List<String> bodies = new ArrayList<>();
        try (JarProcess service = jar.serve(dir, config.server().port(), Map.of(
                "POSTGRES_PASSWORD", PG_PASSWORD, "REDIS_PASSWORD", REDIS_PASSWORD, "ATTENDANCE_WRITE_TOKEN", TOKEN))) {
            service.awaitHealthy(Duration.ofSeconds(60));
            String create = "{\"id\":\"1\",\"name\":\"Secret\",\"status\":\"Present\",\"date\":\"2023-01-01\"}";
            assertEquals(200, post(service, create, "Bearer " + TOKEN, bodies));
            assertEquals(409, post(service, create, "Bearer " + TOKEN, bodies));
            assertEquals(401, post(service, create, "Bearer wrong-" + TOKEN, bodies));
            assertEquals(400, post(service, "{\"id\":", "Bearer " + TOKEN, bodies));
            for (String path : List.of(V1 + "/health", V1 + "/health/detail", V1 + "/search?id=1", V1 + "/search?id=nope",
                    V1 + "/search/all", V1 + "/search?id=%00", "/nope", "/openapi.json", "/metrics")) {
                HttpResponse<String> r = service.get(path);
                assertTrue(r.statusCode() < 500, path + ": " + r.statusCode());
                bodies.add(r.body());
            }
            String detail = service.get(V1 + "/health/detail").body();
            assertTrue(detail.contains("\"redis\":\"down\""), "Redis refused the password, so it is down: " + detail);
            service.terminate();
            service.awaitExit(Duration.ofSeconds(15));

            String logs = service.stdout() + service.stderr();
            assertTrue(service.stderr().contains("Redis failed"), "the Redis failure was logged:\n" + service.stderr());
            assertTrue(service.stdout().contains("\"status_code\": \"401\""), "the access log was captured:\n" + service.stdout());
            assertNoSecret("the logs", logs);
            for (String body : bodies) {
                assertNoSecret("a response body (incl. /metrics)", body);
            }
        }
    }

    @Test
    void aRefusedPasswordIsNotPrintedEither(@TempDir Path dir) {
        String wrong = "pg-wrong-" + UUID.randomUUID();
        Config config = credentials(role, wrong);
        TestConfigs.write(dir, config);
        try (JarProcess service = jar.run(dir, Map.of())) {
            assertEquals(1, service.awaitExit(Duration.ofSeconds(60)), service.stderr());
            String logs = service.stdout() + service.stderr();
            assertTrue(logs.contains("refused the connection"), logs);
            assertFalse(logs.contains(wrong), "the refused password is printed:\n" + logs);
            assertNoSecret("the logs", logs);
        }
    }

    private static int post(JarProcess service, String body, String authorization, List<String> bodies) {
        HttpResponse<String> r = Http.send(Http.request("POST", service.url(V1 + "/create"), "application/json", body)
                .header("Authorization", authorization));
        bodies.add(r.body());
        return r.statusCode();
    }

    private static void assertNoSecret(String where, String text) {
        for (String secret : List.of(PG_PASSWORD, REDIS_PASSWORD, TOKEN)) {
            assertFalse(text.contains(secret), where + " contain a secret:\n" + text);
            // Also its distinctive half, in case it is cut or quoted.
            assertFalse(text.contains(secret.substring(secret.length() - 18)), where + " contain part of a secret:\n" + text);
        }
    }

    private static Config credentials(String user, String password) {
        return TestConfigs.with(jar.config(database), "postgres.user", user, "postgres.password", password,
                "postgres.startup_wait_seconds", 2);
    }
}
