package org.otmicroservices.attendance.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Turns the measurements bench/run.sh collected (one JSON object per line) into the results table and
 * the same figures as JSON: medians and spread per scenario, the ceilings, the ratios of the targets
 * and whether each is met. Exit code: 0 all good, 1 errors or lost writes (a failed benchmark), 3 a
 * target missed (only when asked to enforce targets).
 *
 * Usage: java -cp attendance-api.jar org.otmicroservices.attendance.bench.BenchReport MEASUREMENTS.jsonl META.json OUT.md OUT.json [--enforce-targets]
 */
public final class BenchReport {
    static final double MB = 1_000_000.0;

    /** The service scenarios, in table order, with their labels. */
    static final Map<String, String> SCENARIOS = labels(
            "health", "1 · GET health",
            "search_cached", "2 · GET search?id, cached (one id)",
            "search_uncached", "3 · GET search?id, uncached (random ids over 100,000 rows)",
            "search_all_100_cached", "4 · GET search/all, 100 rows, cached",
            "search_all_100_uncached", "4 · GET search/all, 100 rows, cache off",
            "search_all_10k_cached", "4 · GET search/all, 10,000 rows, cached",
            "search_all_10k_304", "4 · GET search/all, 10,000 rows, cached, If-None-Match: 304, no body",
            "search_all_10k_uncached", "4 · GET search/all, 10,000 rows, cache off",
            "create", "5 · POST create, unique ids",
            "mixed", "6 · mixed: 90 % search (hot set of 100 ids), 10 % create");

    static final Map<String, String> CEILINGS = labels(
            "bare_json", "bare Javalin, fixed small JSON",
            "bare_select", "bare Javalin + one HikariCP PK SELECT",
            "nginx_small", "nginx, small fixed body",
            "nginx_10k", "nginx, static file = 10,000-row search/all bytes",
            "pgbench_select", "pgbench -S (select-only)",
            "pgbench_insert", "pgbench insert-only custom script",
            "redis_get", "redis-benchmark -t get");

    static final Map<String, String> THROTTLED = labels(
            "health", "1 · health",
            "search_cached", "2 · search?id cached",
            "search_uncached", "3 · search?id uncached");

    /** The median and spread over the runs of one scenario at one concurrency. */
    record Figures(String name, int conc, int runs, double rps, double rpsMin, double rpsMax, double p50Ms, double p99Ms,
                   long errors, double bytesPerS) {
        double spreadPct() {
            return rps == 0 ? 0 : 100.0 * (rpsMax - rpsMin) / rps;
        }
    }

    /** One line of the target table. */
    record Target(String what, String conc, String measured, String goal, boolean met, String verdict) {}

    private final List<JsonNode> lines;
    private final List<String> failures = new ArrayList<>();

    BenchReport(List<JsonNode> lines) {
        this.lines = lines;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: BenchReport MEASUREMENTS.jsonl META.json OUT.md OUT.json [--enforce-targets]");
            System.exit(2);
        }
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                lines.add(mapper.readTree(line));
            }
        }
        JsonNode meta = mapper.readTree(Path.of(args[1]).toFile());
        BenchReport report = new BenchReport(lines);
        String markdown = report.markdown(meta);
        Files.writeString(Path.of(args[2]), markdown, StandardCharsets.UTF_8);
        mapper.enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(args[3]).toFile(), report.json(meta));
        System.out.print(markdown);
        boolean enforce = args.length > 4 && args[4].equals("--enforce-targets");
        System.exit(report.exitCode(enforce));
    }

    int exitCode(boolean enforceTargets) {
        List<Target> targets = targets();
        if (!failures.isEmpty()) {
            return 1;
        }
        return enforceTargets && targets.stream().anyMatch(t -> !t.met()) ? 3 : 0;
    }

    // ---- figures

    List<Figures> figures(String type, Map<String, String> names) {
        List<Figures> out = new ArrayList<>();
        for (String name : names.keySet()) {
            lines.stream().filter(l -> type.equals(l.path("type").asText()) && name.equals(l.path("name").asText()))
                    .map(l -> l.path("conc").asInt()).distinct().sorted()
                    .forEach(conc -> out.add(figures(type, name, conc)));
        }
        return out;
    }

    Figures figures(String type, String name, int conc) {
        List<JsonNode> runs = lines.stream().filter(l -> type.equals(l.path("type").asText())
                && name.equals(l.path("name").asText()) && l.path("conc").asInt() == conc).toList();
        if (runs.isEmpty()) {
            return null;
        }
        long errors = runs.stream().mapToLong(l -> l.path("errors").asLong()).sum();
        return new Figures(name, conc, runs.size(), median(runs, l -> l.path("rps").asDouble()),
                runs.stream().mapToDouble(l -> l.path("rps").asDouble()).min().orElse(0),
                runs.stream().mapToDouble(l -> l.path("rps").asDouble()).max().orElse(0),
                median(runs, l -> l.path("p50_ms").asDouble(Double.NaN)),
                median(runs, l -> l.path("p99_ms").asDouble(Double.NaN)),
                errors, median(runs, l -> l.path("bytes_per_s").asDouble(Double.NaN)));
    }

    static double median(List<JsonNode> runs, ToDoubleFunction<JsonNode> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private List<JsonNode> ofType(String type) {
        return lines.stream().filter(l -> type.equals(l.path("type").asText())).toList();
    }

    // ---- targets and hard failures

    List<Target> targets() {
        failures.clear();
        List<Target> out = new ArrayList<>();
        for (int conc : concurrencies()) {
            ratio(out, "cached search (2) / bare Javalin", "search_cached", "bare_json", conc, 0.5);
            ratio(out, "health (1) / bare Javalin", "health", "bare_json", conc, 0.6);
            ratio(out, "uncached search (3) / bare Javalin + Hikari PK select", "search_uncached", "bare_select", conc, 0.5);
            ratio(out, "create (5) / pgbench insert TPS", "create", "pgbench_insert", conc, 0.5);
            ratio(out, "search/all 10,000 cached (4) / nginx same bytes", "search_all_10k_cached", "nginx_10k", conc, 0.3);
            Figures all = figures("load", "search_all_10k_uncached", conc);
            if (all != null) {
                double mbs = all.bytesPerS() / MB;
                out.add(atLeast("search/all 10,000 cache off (4): JSON out", conc, fmt(mbs, 1) + " MB/s", mbs, 100, "MB/s"));
            }
        }
        for (JsonNode t : ofType("throttled")) {
            String name = t.path("name").asText();
            double p99 = t.path("p99_ms").asDouble();
            out.add(atMost("p99 at half the saturating rate: " + THROTTLED.getOrDefault(name, name)
                            + " (" + fmt(t.path("rps").asDouble(), 0) + " req/s achieved of " + fmt(t.path("target_rps").asDouble(), 0) + " asked)",
                    t.path("conc").asText(), fmt(p99, 2) + " ms", p99, 5, "ms"));
            if (t.path("errors").asLong() > 0) {
                failures.add("throttled " + name + ": " + t.path("errors").asLong() + " errors");
            }
        }
        for (JsonNode s : ofType("startup")) {
            double ms = median(listOf(s.path("ms")), JsonNode::asDouble);
            out.add(atMost("start-up (7): process start to first 200 on health, median of " + s.path("ms").size(),
                    "", fmt(ms, 0) + " ms", ms, 2000, "ms"));
        }
        for (JsonNode b : ofType("burst")) {
            String burst = "connection burst (9): " + String.format(Locale.ROOT, "%,d", b.path("clients").asLong())
                    + " clients connecting at once, one health request each";
            long slow = b.path("over_1s").asLong();
            out.add(new Target(burst + ": answers over 1 s", "", Long.toString(slow), "0", slow == 0, slow == 0 ? "met" : "missed"));
            double p99 = b.path("p99_ms").asDouble();
            out.add(atMost(burst + ": p99", "", fmt(p99, 1) + " ms (max " + fmt(b.path("max_ms").asDouble(), 1) + ")", p99, 100, "ms"));
            if (b.path("errors").asLong() > 0) {
                failures.add("connection burst: " + b.path("errors").asLong() + " clients without a 200");
            }
        }
        for (JsonNode r : ofType("rss")) {
            double mib = r.path("kib").asDouble() / 1024;
            out.add(atMost("RSS after the mixed load (8), flags of run.sh", "", fmt(mib, 0) + " MiB", mib, 256, "MiB"));
        }
        for (JsonNode b : ofType("big")) {
            boolean ok = b.path("status").asInt() == 200 && b.path("records").asLong() == b.path("rows").asLong();
            if (!ok) {
                failures.add("search/all over " + b.path("rows").asLong() + " rows with " + b.path("heap").asText()
                        + ": status " + b.path("status").asInt() + ", " + b.path("records").asLong() + " records");
            }
            out.add(new Target("search/all over " + String.format(Locale.ROOT, "%,d", b.path("rows").asLong()) + " rows with "
                    + b.path("heap").asText() + " (8): succeeds, streamed", "",
                    b.path("status").asInt() + ", " + fmt(b.path("seconds").asDouble(), 1) + " s, "
                            + fmt(b.path("bytes").asDouble() / MB, 0) + " MB, peak RSS "
                            + fmt(b.path("vmhwm_kib").asDouble() / 1024, 0) + " MiB",
                    "200 with every row", ok, ok ? "met" : "FAILED"));
        }
        long errors = 0;
        for (Figures f : figures("load", SCENARIOS)) {
            if (f.errors() > 0) {
                failures.add(f.name() + " @" + f.conc() + ": " + f.errors() + " errors");
            }
            errors += f.errors();
        }
        long lost = 0;
        for (JsonNode w : ofType("writes")) {
            long rows = w.path("rows").asLong();
            long server = w.path("server_200").asLong();
            JsonNode clientNode = w.path("client_2xx");
            long client = clientNode.isNumber() ? clientNode.asLong() : rows;
            int conc = w.path("conc").asInt();
            // Every 200 the service sent must be a row; the client may miss the last answers (cut at the end of the run).
            if (rows != server || client > rows || rows > client + conc) {
                lost += Math.abs(rows - server) + Math.max(0, client - rows);
                failures.add("writes " + w.path("name").asText() + " @" + conc + " run " + w.path("run").asInt() + ": "
                        + rows + " new rows, " + server + " 200s logged by the service"
                        + (clientNode.isNumber() ? ", " + client + " 2xx seen by wrk" : ""));
            }
        }
        out.add(new Target("every scenario: errors, lost writes", "", errors + " errors, " + lost + " lost writes",
                "0, 0", errors == 0 && lost == 0, errors == 0 && lost == 0 ? "met" : "FAILED"));
        return out;
    }

    private List<Integer> concurrencies() {
        return lines.stream().filter(l -> "load".equals(l.path("type").asText()))
                .map(l -> l.path("conc").asInt()).distinct().sorted().toList();
    }

    private void ratio(List<Target> out, String what, String scenario, String ceiling, int conc, double goal) {
        Figures s = figures("load", scenario, conc);
        Figures c = figures("load", ceiling, conc);
        if (s == null || c == null || c.rps() <= 0) {
            return;
        }
        double r = s.rps() / c.rps();
        out.add(atLeast(what, conc, fmt(r, 2) + " (" + fmt(s.rps(), 0) + " / " + fmt(c.rps(), 0) + ")", r, goal, "×"));
    }

    static Target atLeast(String what, int conc, String measured, double value, double goal, String unit) {
        boolean met = value >= goal;
        String verdict = met ? "met" : "missed by " + fmt(100 * (goal - value) / goal, 0) + " %";
        return new Target(what, Integer.toString(conc), measured, "≥ " + fmt(goal, goal < 10 ? 1 : 0) + " " + unit, met, verdict);
    }

    static Target atMost(String what, String conc, String measured, double value, double goal, String unit) {
        boolean met = value <= goal;
        String verdict = met ? "met" : "missed by " + fmt(100 * (value - goal) / goal, 0) + " % (over)";
        return new Target(what, conc, measured, "≤ " + fmt(goal, 0) + " " + unit, met, verdict);
    }

    private static List<JsonNode> listOf(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    // ---- output

    String markdown(JsonNode meta) {
        List<Target> targets = targets();
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results (").append(meta.path("mode").asText()).append(" run)\n\n");
        md.append("`bench/run.sh").append("quick".equals(meta.path("mode").asText()) ? " --quick" : "")
                .append("` on ").append(meta.path("date").asText()).append(": ").append(meta.path("machine").asText())
                .append("; ").append(meta.path("java").asText()).append(", `").append(meta.path("java_opts").asText())
                .append("`; ").append(meta.path("method").asText()).append("\n\n");
        md.append("## Service\n\n| Scenario | Conns | Req/s (median) | Spread (max−min) | p50 ms | p99 ms | MB/s | Errors |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Figures f : figures("load", SCENARIOS)) {
            row(md, SCENARIOS.get(f.name()), f);
        }
        md.append("\n## Ceilings (same run, same machine)\n\n| Ceiling | Conns | Req/s (median) | Spread (max−min) | p50 ms | p99 ms | MB/s | Errors |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Figures f : figures("load", CEILINGS)) {
            row(md, CEILINGS.get(f.name()), f);
        }
        md.append("\n## Targets\n\n| Target | Conns | Measured | Goal | Result |\n|---|---:|---|---|---|\n");
        for (Target t : targets) {
            md.append("| ").append(t.what()).append(" | ").append(t.conc()).append(" | ").append(t.measured())
                    .append(" | ").append(t.goal()).append(" | ").append(t.met() ? "met" : "**" + t.verdict() + "**").append(" |\n");
        }
        long missed = targets.stream().filter(t -> !t.met()).count();
        md.append("\n").append(targets.size() - missed).append(" of ").append(targets.size()).append(" targets met.");
        if (missed > 0) {
            md.append(" Where the time goes: the profile in docs/PERFORMANCE.md.");
        }
        if (!failures.isEmpty()) {
            md.append("\n\n**FAILED:**\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        return md.append('\n').toString();
    }

    private static void row(StringBuilder md, String label, Figures f) {
        md.append("| ").append(label).append(" | ").append(f.conc()).append(" | ").append(fmt(f.rps(), 0))
                .append(" | ").append(fmt(f.spreadPct(), 1)).append(" % | ").append(fmt(f.p50Ms(), 2)).append(" | ")
                .append(fmt(f.p99Ms(), 2)).append(" | ").append(fmt(f.bytesPerS() / MB, 1)).append(" | ")
                .append(f.errors()).append(" |\n");
    }

    ObjectNode json(JsonNode meta) {
        ObjectMapper mapper = new ObjectMapper();
        List<Target> targets = targets();
        ObjectNode root = mapper.createObjectNode();
        root.set("meta", meta);
        root.set("scenarios", figuresJson(mapper, figures("load", SCENARIOS)));
        root.set("ceilings", figuresJson(mapper, figures("load", CEILINGS)));
        ArrayNode throttled = root.putArray("throttled");
        ofType("throttled").forEach(throttled::add);
        ObjectNode facts = root.putObject("facts");
        ofType("startup").forEach(s -> facts.set("startup_ms", s.path("ms")));
        ofType("rss").forEach(r -> facts.put("rss_after_mixed_kib", r.path("kib").asLong()));
        ofType("burst").forEach(b -> facts.set("connection_burst", b));
        ofType("big").forEach(b -> facts.set("search_all_big", b));
        ArrayNode writes = facts.putArray("writes");
        ofType("writes").forEach(writes::add);
        ArrayNode t = root.putArray("targets");
        for (Target target : targets) {
            t.addObject().put("target", target.what()).put("conns", target.conc()).put("measured", target.measured())
                    .put("goal", target.goal()).put("met", target.met()).put("result", target.verdict());
        }
        ArrayNode f = root.putArray("failures");
        failures.forEach(f::add);
        ArrayNode runs = root.putArray("runs");
        lines.stream().filter(l -> "load".equals(l.path("type").asText()))
                .sorted(Comparator.comparing((JsonNode l) -> l.path("name").asText()).thenComparing(l -> l.path("conc").asInt()))
                .forEach(runs::add);
        return root;
    }

    private static ArrayNode figuresJson(ObjectMapper mapper, List<Figures> figures) {
        ArrayNode out = mapper.createArrayNode();
        for (Figures f : figures) {
            out.addObject().put("name", f.name()).put("conns", f.conc()).put("runs", f.runs())
                    .put("rps_median", round(f.rps())).put("rps_min", round(f.rpsMin())).put("rps_max", round(f.rpsMax()))
                    .put("spread_pct", round(f.spreadPct())).put("p50_ms", round(f.p50Ms())).put("p99_ms", round(f.p99Ms()))
                    .put("mb_per_s", round(f.bytesPerS() / MB)).put("errors", f.errors());
        }
        return out;
    }

    private static double round(double v) {
        return Double.isNaN(v) ? 0 : Math.round(v * 1000) / 1000.0;
    }

    static String fmt(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static Map<String, String> labels(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    static BenchReport of(List<String> jsonLines) {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : jsonLines) {
            try {
                nodes.add(mapper.readTree(l));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new BenchReport(nodes);
    }
}
