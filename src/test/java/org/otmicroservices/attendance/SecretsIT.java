package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No PostgreSQL or Redis password, and no write token, in any line the service prints (stdout and stderr of the
 * jar, start to exit) or in /metrics. Non-default secrets, each unique, so a match cannot be a coincidence: the
 * test creates a PostgreSQL login of its own; the Redis password is one the shared Redis does not expect, so the
 * failure paths, where secrets usually leak, are exercised too.
 */
class SecretsIT {
    private static final String V1 = AttendanceApi.V1;
    private static final String PG_PASSWORD = "pg-" + UUID.randomUUID();
    private static final String REDIS_PASSWORD = "redis-" + UUID.randomUUID();
    private static final String TOKEN = "token-" + UUID.randomUUID();

    static TestEnv env;
    static String role;
    static String database;

    @RegisterExtension
    static final BeforeAllCallback testEnv = context -> env = TestEnv.get(context);

    @BeforeAll
    static void ownLogin() throws SQLException {
        role = env.runId + "_secrets";
        database = env.createDatabase();
        admin("postgres", "CREATE ROLE " + role + " LOGIN PASSWORD '" + PG_PASSWORD + "'");
        admin(database, "GRANT ALL ON SCHEMA public TO " + role);
    }

    @AfterAll
    static void dropLogin() throws SQLException {
        if (role != null) {
            admin(database, "DROP OWNED BY " + role);
            admin("postgres", "DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void noSecretInAnyLogLineOrMetricOfARun() throws Exception {
        Config config = credentials(env.config(database, env.newKeyPrefix()), role, "from-env");
        List<String> bodies = new ArrayList<>();
        try (ServiceProcess service = ServiceProcess.start(config, Map.of(
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
    void aRefusedPasswordIsNotPrintedEither() {
        String wrong = "pg-wrong-" + UUID.randomUUID();
        Config config = credentials(env.config(database, env.newKeyPrefix()), role, wrong);
        try (ServiceProcess service = ServiceProcess.start(config, Map.of())) {
            assertEquals(1, service.awaitExit(Duration.ofSeconds(60)), service.stderr());
            String logs = service.stdout() + service.stderr();
            assertTrue(logs.contains("refused the connection"), logs);
            assertFalse(logs.contains(wrong), "the refused password is printed:\n" + logs);
            assertNoSecret("the logs", logs);
        }
    }

    private static int post(ServiceProcess service, String body, String authorization, List<String> bodies) throws Exception {
        HttpResponse<String> r = service.send(HttpRequest.newBuilder(service.uri(V1 + "/create"))
                .header("Content-Type", "application/json").header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
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

    private static Config credentials(Config c, String user, String password) {
        Config.Postgres pg = c.postgres();
        return new Config(new Config.Postgres(pg.host(), pg.port(), pg.database(), user, password, pg.poolSize(),
                pg.connectTimeoutMs(), pg.statementTimeoutMs(), 2, pg.migrationLockWaitSeconds()),
                c.redis(), c.server(), c.cache(), c.dateFormat(), c.auth());
    }

    private static void admin(String db, String sql) throws SQLException {
        try (Connection c = env.connect(db); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
