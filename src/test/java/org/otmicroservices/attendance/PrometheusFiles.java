package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The shipped Prometheus files of deploy/prometheus, read as the tests need them. */
final class PrometheusFiles {
    static final Path DIR = Path.of("deploy/prometheus");
    static final Path RULES = DIR.resolve("attendance-api-alerts.yml");
    static final Path TESTS = DIR.resolve("attendance-api-alerts.test.yml");
    static final Path SCRAPE_CONFIG = DIR.resolve("prometheus.yml");

    record Alert(String name, String expr) {}

    private PrometheusFiles() {}

    /** Every alerting rule of the rules file, in file order. */
    static List<Alert> alerts() {
        List<Alert> alerts = new ArrayList<>();
        for (Map<String, Object> group : list(load(RULES), "groups")) {
            for (Map<String, Object> rule : list(group, "rules")) {
                if (rule.containsKey("alert")) {
                    alerts.add(new Alert((String) rule.get("alert"), (String) rule.get("expr")));
                }
            }
        }
        return alerts;
    }

    /** A YAML file as nested maps and lists. */
    static Map<String, Object> load(Path file) {
        try {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The list of maps under key, empty when the key is absent. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }
}
