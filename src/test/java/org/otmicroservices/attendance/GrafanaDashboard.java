package org.otmicroservices.attendance;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** deploy/grafana/attendance-api.json as the tests read it: its panels, their queries and its variables. */
final class GrafanaDashboard {
    static final Path FILE = Path.of("deploy/grafana/attendance-api.json");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    record Query(String expr, String legendFormat) {}

    record Panel(String title, String type, String unit, List<Query> queries) {}

    /** A query variable filled by Grafana's label_values(expr, label). */
    record Variable(String name, String expr, String label) {}

    private final JsonNode root;

    private GrafanaDashboard(JsonNode root) {
        this.root = root;
    }

    static GrafanaDashboard load() {
        try {
            return new GrafanaDashboard(TestJson.parse(Files.readString(FILE)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode json() {
        return root;
    }

    List<Panel> panels() {
        List<Panel> panels = new ArrayList<>();
        for (JsonNode p : root.path("panels")) {
            List<Query> queries = new ArrayList<>();
            for (JsonNode t : p.path("targets")) {
                queries.add(new Query(t.path("expr").asText(), t.path("legendFormat").asText("")));
            }
            panels.add(new Panel(p.path("title").asText(), p.path("type").asText(),
                    p.path("fieldConfig").path("defaults").path("unit").asText(""), queries));
        }
        return panels;
    }

    List<Variable> queryVariables() {
        List<Variable> variables = new ArrayList<>();
        for (JsonNode v : root.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                Matcher m = LABEL_VALUES.matcher(v.path("query").path("query").asText());
                if (!m.matches()) {
                    throw new IllegalStateException("variable " + v.path("name").asText() + " is not label_values(expr, label)");
                }
                variables.add(new Variable(v.path("name").asText(), m.group(1).strip(), m.group(2)));
            }
        }
        return variables;
    }

    /**
     * The expression as Grafana sends it to Prometheus when every variable is at "All" (its default) and Grafana's
     * query step and the data source's scrape interval are both `scrapeInterval`: each variable becomes its
     * allValue, and $__rate_interval becomes max($__interval + scrape interval, 4 × scrape interval), Grafana's
     * own rule, so 4 × scrapeInterval. Fails on any other variable, which nothing would substitute.
     */
    String forPrometheus(String expr, Duration scrapeInterval) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("__rate_interval", scrapeInterval.multipliedBy(4).toSeconds() + "s");
        for (JsonNode v : root.path("templating").path("list")) {
            if (v.path("includeAll").asBoolean()) {
                values.put(v.path("name").asText(), v.path("allValue").asText());
            }
        }
        String out = expr;
        for (Map.Entry<String, String> value : values.entrySet()) {
            out = out.replace("${" + value.getKey() + "}", value.getValue()).replace("$" + value.getKey(), value.getValue());
        }
        if (out.contains("$")) {
            throw new IllegalStateException("a variable that neither Grafana's defaults nor the dashboard defines: " + expr);
        }
        return out;
    }

    /** A series' legend as Grafana writes it: {{label}} replaced by the label's value, or every label if no format. */
    static String legend(String format, Map<String, String> labels) {
        if (format.isBlank()) {
            return labels.toString();
        }
        Matcher m = LEGEND_LABEL.matcher(format);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(labels.getOrDefault(m.group(1), "")));
        }
        return m.appendTail(out).toString();
    }
}
