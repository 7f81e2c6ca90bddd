package org.otmicroservices.attendance.http;

import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiResponse;
import java.time.Duration;
import org.otmicroservices.attendance.cache.ResponseCache;
import org.otmicroservices.attendance.db.AttendanceDao;
import org.otmicroservices.attendance.db.HostRoles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shallow (PostgreSQL) and detailed (PostgreSQL and Redis) health checks, with Flask's bodies and codes. */
public final class HealthController {
    private static final Logger LOG = LoggerFactory.getLogger(HealthController.class);
    public static final String HEALTHY = "Attendance API is running fine and ready to serve requests";
    public static final String UNHEALTHY = "Attendance API is not healthy, please check logs";

    private final AttendanceDao dao;
    private final ResponseCache cache;
    private final HostRoles hostRoles;
    private final Json json;
    /**
     * How old a PostgreSQL check may be and still answer a probe. Far below any load balancer's probe interval,
     * yet a flood of probes costs one round trip per 50 ms instead of a wait for PostgreSQL each (docs/PERFORMANCE.md).
     */
    public static final Duration MAX_CHECK_AGE = Duration.ofMillis(50);

    // Concurrent probes share one recent database round trip (see CoalescedCheck); the bodies never change.
    private final CoalescedCheck postgres = new CoalescedCheck(this::pingPostgres, MAX_CHECK_AGE);
    private final byte[] healthyBody;
    private final byte[] unhealthyBody;

    public HealthController(AttendanceDao dao, ResponseCache cache, HostRoles hostRoles, Json json) {
        this.dao = dao;
        this.cache = cache;
        this.hostRoles = hostRoles;
        this.json = json;
        this.healthyBody = json.bytes(new Bodies.Message(HEALTHY));
        this.unhealthyBody = json.bytes(new Bodies.Message(UNHEALTHY));
    }

    @OpenApi(path = Routes.V1 + "/health", methods = HttpMethod.GET, operationId = "health",
            tags = "healthcheck", summary = "Healthcheck: PostgreSQL answers",
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Bodies.Message.class)),
                @OpenApiResponse(status = "400", description = "PostgreSQL unreachable", content = @OpenApiContent(from = Bodies.Message.class))
            })
    void health(Context ctx) {
        boolean up = postgresUp();
        ctx.status(up ? 200 : 400).contentType("application/json").result(up ? healthyBody : unhealthyBody);
    }

    @OpenApi(path = Routes.V1 + "/health/detail", methods = HttpMethod.GET, operationId = "healthDetail",
            tags = "healthcheck", summary = "Detailed healthcheck: PostgreSQL and Redis",
            description = "With more than one PostgreSQL host configured, postgresql_hosts gives each one's role: primary, standby or down.",
            responses = {
                @OpenApiResponse(status = "200", description = "PostgreSQL up (Redis may be down)",
                        content = @OpenApiContent(from = Bodies.HealthDetail.class)),
                @OpenApiResponse(status = "400", description = "PostgreSQL unreachable", content = @OpenApiContent(from = Bodies.HealthDetail.class))
            })
    void detail(Context ctx) {
        boolean postgres = postgresUp();
        boolean redis = cache.isUp();
        boolean ha = !cache.mode().equals("single"); // a single node keeps the Flask body exactly
        ctx.status(postgres ? 200 : 400).contentType("application/json").result(json.bytes(new Bodies.HealthDetail(
                postgres ? HEALTHY : UNHEALTHY, state(postgres), state(redis), state(postgres),
                hostRoles.replicated() ? hostRoles.now() : null, ha ? cache.mode() : null, ha && redis ? cache.master() : null)));
    }

    private boolean postgresUp() {
        return postgres.passes();
    }

    private boolean pingPostgres() {
        try {
            dao.ping();
            return true;
        } catch (RuntimeException e) {
            LOG.warn("health check: PostgreSQL is not answering: {}", e.getMessage());
            return false;
        }
    }

    private static String state(boolean up) {
        return up ? "up" : "down";
    }
}
