package org.otmicroservices.attendance.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The benchmark's HTTP ceiling: a bare Javalin app in the same jar, not a route of the service.
 * GET /json answers the health body as fixed bytes; with a database given, GET /select?id= also does one
 * HikariCP primary-key SELECT per request (the ceiling for an uncached search).
 *
 * Usage: java -cp attendance-api.jar org.otmicroservices.attendance.bench.BareServer PORT [JDBC_URL USER PASSWORD POOL_SIZE]
 */
public final class BareServer {
    private static final byte[] FIXED = "{\"message\":\"Attendance API is running fine and ready to serve requests\"}\n"
            .getBytes(StandardCharsets.UTF_8);

    private BareServer() {}

    public static void main(String[] args) {
        if (args.length != 1 && args.length != 5) {
            System.err.println("usage: BareServer PORT [JDBC_URL USER PASSWORD POOL_SIZE]");
            System.exit(2);
        }
        HikariDataSource pool = args.length == 5 ? pool(args[1], args[2], args[3], Integer.parseInt(args[4])) : null;
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.disableCompression();
            cfg.router.mount(router -> {
                router.get("/json", ctx -> ctx.contentType("application/json").result(FIXED));
                if (pool != null) {
                    router.get("/select", ctx -> select(pool, ctx));
                }
            });
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.stop();
            if (pool != null) {
                pool.close();
            }
        }, "shutdown"));
        app.start("127.0.0.1", Integer.parseInt(args[0]));
    }

    private static HikariDataSource pool(String url, String user, String password, int size) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(size);
        return new HikariDataSource(hc);
    }

    private static void select(HikariDataSource pool, Context ctx) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT id, name, status, date FROM records WHERE id = ?")) {
            s.setString(1, ctx.queryParam("id"));
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    ctx.status(404).result("{}\n");
                    return;
                }
                // Plain concatenation: the ceiling measures the round trip, not a JSON library.
                String body = "{\"id\":\"" + rs.getString(1) + "\",\"name\":\"" + rs.getString(2) + "\",\"status\":\""
                        + rs.getString(3) + "\",\"date\":\"" + rs.getString(4) + "\"}\n";
                ctx.contentType("application/json").result(body.getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
