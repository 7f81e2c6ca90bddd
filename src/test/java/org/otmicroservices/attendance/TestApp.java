package org.otmicroservices.attendance;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.otmicroservices.attendance.cache.ResponseCache;
import org.otmicroservices.attendance.config.Config;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * The real service for a test class: started through App.start (as Main does) on a free port against a fresh
 * database and key prefix, driven over real HTTP. Register with @RegisterExtension on a static field. In a
 * @ParameterizedClass it starts afresh for each invocation (e.g. once per Redis mode: RedisTopology.PerInvocation).
 */
final class TestApp implements BeforeAllCallback, AfterAllCallback, BeforeClassTemplateInvocationCallback,
        AfterClassTemplateInvocationCallback {
    private final UnaryOperator<Config> customize;
    private final ByteArrayOutputStream accessLog = new ByteArrayOutputStream();
    private UnifiedJedis redis;
    TestEnv env;
    Config config;
    App app;

    TestApp() {
        this(c -> c);
    }

    TestApp(UnaryOperator<Config> customize) {
        this.customize = customize;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!perInvocation(context)) {
            start(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!perInvocation(context)) {
            stop();
        }
    }

    @Override
    public void beforeClassTemplateInvocation(ExtensionContext context) {
        start(context);
    }

    @Override
    public void afterClassTemplateInvocation(ExtensionContext context) {
        stop();
    }

    private static boolean perInvocation(ExtensionContext context) {
        return AnnotationSupport.isAnnotated(context.getRequiredTestClass(), ClassTemplate.class);
    }

    private void start(ExtensionContext context) {
        env = TestEnv.get(context);
        config = customize.apply(env.config(env.createDatabase(), env.newKeyPrefix()));
        accessLog.reset();
        app = App.start(config, new PrintStream(accessLog, true, StandardCharsets.UTF_8));
    }

    private void stop() {
        if (app != null) {
            app.close();
            app = null;
        }
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }

    /**
     * A client of the Redis this app caches on, for a test to look at or change keys as an operator would: the
     * shared one of config.yaml in single mode (even when the app reaches it through a FaultProxy), else the
     * app's sentinels or cluster. Closed with the app.
     */
    synchronized UnifiedJedis redis() {
        if (redis == null) {
            Config.Redis r = config.redis();
            DefaultJedisClientConfig login = DefaultJedisClientConfig.builder().password(r.password()).build();
            if (r.sentinel() != null) {
                redis = RedisSentinelClient.builder().masterName(r.sentinel().master()).clientConfig(login)
                        .sentinels(r.sentinel().nodes().stream().map(HostAndPort::from).collect(Collectors.toSet()))
                        .sentinelClientConfig(DefaultJedisClientConfig.builder().password(r.sentinel().password()).build())
                        .build();
            } else if (r.cluster() != null) {
                redis = RedisClusterClient.builder().clientConfig(login)
                        .nodes(r.cluster().nodes().stream().map(HostAndPort::from).collect(Collectors.toSet())).build();
            } else {
                redis = env.redis();
            }
        }
        return redis;
    }

    /** The prefix of this app's cache keys as they are in Redis (on a cluster, in braces: ResponseCache.keyPrefix). */
    String keyPrefix() {
        return ResponseCache.keyPrefix(config.redis(), config.cache());
    }

    /** Another instance sharing this one's database and Redis prefix, as a second node behind nginx. */
    App startSibling() {
        return startSibling(c -> c);
    }

    /** A sibling whose config differs in some keys (e.g. reaching Redis through a FaultProxy). */
    App startSibling(UnaryOperator<Config> change) {
        return App.start(change.apply(config), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    String url(String path) {
        return "http://127.0.0.1:" + app.port() + path;
    }

    HttpResponse<String> get(String path) {
        return Http.get(url(path));
    }

    /** A GET to another instance (a sibling). */
    HttpResponse<String> get(App instance, String path) {
        return Http.get("http://127.0.0.1:" + instance.port() + path);
    }

    /** One sample of an instance's /metrics, named as exposed with its labels (name{label="v",}); 0 when absent. */
    double metric(App instance, String sample) {
        return get(instance, "/metrics").body().lines().filter(l -> l.startsWith(sample + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(sample.length() + 1))).findFirst().orElse(0);
    }

    double metric(String sample) {
        return metric(app, sample);
    }

    HttpResponse<String> postJson(String path, String json) {
        return send("POST", path, "application/json", json);
    }

    HttpResponse<String> create(String id, String name, String status, String date) {
        return postJson("/api/v1/attendance/create", record(id, name, status, date));
    }

    /** A record as JSON, keys in the Flask service's order: a create body, or what search answers (with the date as it writes it). */
    static String record(String id, String name, String status, String date) {
        return "{\"id\":" + quote(id) + ",\"name\":" + quote(name) + ",\"status\":" + quote(status) + ",\"date\":" + quote(date) + "}";
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        return Http.send(request);
    }

    /** Any method on a path of this app; body and contentType may be null. */
    HttpResponse<String> send(String method, String path, String contentType, String body) {
        return Http.send(Http.request(method, url(path), contentType, body));
    }

    /** Every row of the records table, as [id, name, status, date::text], ordered by id. */
    List<List<String>> rows() {
        return env.query(config.postgres().database(), "SELECT id, name, status, date::text FROM records ORDER BY id");
    }

    void sql(String sql) {
        env.execute(config.postgres().database(), sql);
    }

    /** The first column of every row of a query on this app's database, as text. */
    List<String> column(String sql) {
        return env.column(config.postgres().database(), sql);
    }

    long count(String sql) {
        return env.count(config.postgres().database(), sql);
    }

    /** Empties the table and invalidates every cached response, as a write through the service would. */
    void reset() {
        sql("TRUNCATE records");
        redis().incr(keyPrefix() + "generation");
    }

    String accessLog() {
        return accessLog.toString(StandardCharsets.UTF_8);
    }

    static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
