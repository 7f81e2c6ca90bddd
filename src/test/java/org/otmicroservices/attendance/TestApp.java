package org.otmicroservices.attendance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.RedisClient;

/**
 * The real service for a test class: started through App.start (as Main does) on a free port against a fresh
 * database and key prefix, driven over real HTTP. Register with @RegisterExtension on a static field.
 */
final class TestApp implements BeforeAllCallback, AfterAllCallback {
    private final UnaryOperator<Config> customize;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ByteArrayOutputStream accessLog = new ByteArrayOutputStream();
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
        env = TestEnv.get(context);
        config = customize.apply(env.config(env.createDatabase(), env.newKeyPrefix()));
        app = App.start(config, new PrintStream(accessLog, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (app != null) {
            app.close();
        }
    }

    /** Another instance sharing this one's database and Redis prefix, as a second node behind nginx. */
    App startSibling() {
        return App.start(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    String url(String path) {
        return "http://127.0.0.1:" + app.port() + path;
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
    }

    /** A GET to another instance (a sibling). */
    HttpResponse<String> get(App instance, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + path)).GET());
    }

    HttpResponse<String> postJson(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> create(String id, String name, String status, String date) {
        return postJson("/api/v1/attendance/create", "{\"id\":" + quote(id) + ",\"name\":" + quote(name)
                + ",\"status\":" + quote(status) + ",\"date\":" + quote(date) + "}");
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> send(String method, String path, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    /** Every row of the records table, as [id, name, status, date::text], ordered by id. */
    List<List<String>> rows() {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = env.connect(config.postgres().database()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, name, status, date::text FROM records ORDER BY id")) {
            while (rs.next()) {
                rows.add(java.util.Arrays.asList(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    void sql(String sql) {
        try (Connection c = env.connect(config.postgres().database()); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Empties the table and invalidates every cached response, as a write through the service would. */
    void reset() {
        sql("TRUNCATE records");
        try (RedisClient redis = env.redis()) {
            redis.incr(config.cache().keyPrefix() + "generation");
        }
    }

    String accessLog() {
        return accessLog.toString(StandardCharsets.UTF_8);
    }

    static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
