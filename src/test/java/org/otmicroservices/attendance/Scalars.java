package org.otmicroservices.attendance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Direct SQL and JSON reading for the tests of the routes beyond Flask. */
final class Scalars {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Scalars() {}

    static long count(TestApp app, String sql) {
        return Long.parseLong(column(app, sql).get(0));
    }

    /** The first column of every row, as text. */
    static List<String> column(TestApp app, String sql) {
        List<String> values = new ArrayList<>();
        try (Connection c = app.env.connect(app.config.postgres().database()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return values;
    }

    /** The plan PostgreSQL picks when it may not scan the table sequentially: shows which index can serve a query. */
    static String planWithoutSeqScan(TestApp app, String sql) {
        StringBuilder plan = new StringBuilder();
        try (Connection c = app.env.connect(app.config.postgres().database()); Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            try (ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return plan.toString();
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }

    /** The ids of a JSON array of records, in order. */
    static List<String> ids(String body) {
        List<String> ids = new ArrayList<>();
        json(body).forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }
}
