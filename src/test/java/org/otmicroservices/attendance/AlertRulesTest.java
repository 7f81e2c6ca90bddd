package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules of deploy/prometheus under Debian's promtool: each group of attendance-api-alerts.test.yml is
 * its own JUnit test, named as the group, so a failure names the alert and the behaviour; and no alert goes
 * without a group that fires it and one that keeps it quiet.
 */
class AlertRulesTest {
    private static final Path WORK = Path.of("target", "alert-rules-test").toAbsolutePath();
    private static final Duration PROMTOOL_TIMEOUT = Duration.ofSeconds(60);

    @TestFactory
    Stream<DynamicTest> eachAlertFiresOnTheSeriesOfItsTestAndStaysQuietOnTheOthers() {
        Map<String, Object> file = PrometheusFiles.load(PrometheusFiles.TESTS);
        List<Map<String, Object>> groups = PrometheusFiles.list(file, "tests");
        assertTrue(groups.size() >= 2 * PrometheusFiles.alerts().size(), "fewer test groups than two per alert");
        return IntStream.range(0, groups.size()).mapToObj(i -> DynamicTest.dynamicTest(
                (String) groups.get(i).get("name"), () -> runAlone(file, groups.get(i), i)));
    }

    /** promtool on a copy of the test file that holds only this group, so each result is reported on its own. */
    private static void runAlone(Map<String, Object> file, Map<String, Object> group, int index) throws IOException {
        Map<String, Object> single = new LinkedHashMap<>(file);
        // Resolved as promtool resolves them, against the test file's directory, since the copy lives elsewhere.
        List<String> ruleFiles = new ArrayList<>();
        for (Object ruleFile : (List<?>) file.get("rule_files")) {
            ruleFiles.add(PrometheusFiles.DIR.resolve((String) ruleFile).toAbsolutePath().toString());
        }
        single.put("rule_files", ruleFiles);
        single.put("tests", List.of(group));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.createDirectories(WORK);
        Path copy = WORK.resolve("group-" + index + ".test.yml");
        Files.writeString(copy, new Yaml(options).dump(single));

        ToolRun.Result result = ToolRun.run(WORK, "group-" + index, PROMTOOL_TIMEOUT,
                List.of(promtool().toString(), "test", "rules", copy.toString()));
        assertEquals(0, result.exitCode(), () -> "promtool test rules failed for \"" + group.get("name") + "\":\n" + result.output());
    }

    @Test
    void everyAlertHasATestThatFiresItAndOneThatKeepsItQuiet() {
        Set<String> fired = new TreeSet<>();
        Set<String> keptQuiet = new TreeSet<>();
        for (Map<String, Object> group : PrometheusFiles.list(PrometheusFiles.load(PrometheusFiles.TESTS), "tests")) {
            for (Map<String, Object> check : PrometheusFiles.list(group, "alert_rule_test")) {
                String alert = (String) check.get("alertname");
                (PrometheusFiles.list(check, "exp_alerts").isEmpty() ? keptQuiet : fired).add(alert);
            }
        }
        Set<String> alerts = new TreeSet<>();
        PrometheusFiles.alerts().forEach(a -> alerts.add(a.name()));
        assertEquals(alerts, fired, "alerts with a test that fires them");
        assertEquals(alerts, keptQuiet, "alerts with a test that keeps them quiet");
    }

    @Test
    void theScrapeConfigAndTheRulesItLoadsPassPromtoolsCheck() {
        ToolRun.Result result = ToolRun.run(WORK, "check-config", PROMTOOL_TIMEOUT,
                List.of(promtool().toString(), "check", "config", PrometheusFiles.SCRAPE_CONFIG.toAbsolutePath().toString()));
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("Checking " + PrometheusFiles.RULES.toAbsolutePath()), "the rules were not loaded:\n" + result.output());
    }

    private static Path promtool() {
        return DebianTool.path("promtool", "prometheus");
    }
}
