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
 * target missed (only when asked to enforce targets). With ramps among the measurements it also writes OUT.ramp.tsv,
 * the data bench/run.sh plots with gnuplot (bench/ramp.gp).
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

    /** The ramp after a start (scenario 10): the scenarios, and the variants each ran in. */
    static final Map<String, String> RAMPS = labels(
            "search_cached", "GET search?id, cached (one id)",
            "search_uncached", "GET search?id, uncached (random ids)",
            "create", "POST create, unique ids");

    static final Map<String, String> VARIANTS = labels(
            "java_version", "`java -version` alone (the floor)",
            "no_archive", "the service, no class archive",
            "archive", "the service with its class archive (as run.sh starts it)");

    /** Start-up: the first 200 at most this long after exec (median of the starts). */
    static final double STARTUP_GOAL_MS = 500;
    /** The ramp: a window of 1 s at this share of the ramp's peak, at the latest in the second window. */
    static final double RAMP_SHARE = 0.8;
    static final int RAMP_GOAL_SECONDS = 2;

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

    /**
     * One ramp: 2xx answers per 1 s window since the first 200. secondsTo80 is the first window (1-based: window k
     * ends k seconds after the first 200) at RAMP_SHARE of the ramp's peak window, or 0 when there is none.
     */
    record Ramp(String name, String variant, List<Long> ok, long errors) {
        long peak() {
            return ok.stream().mapToLong(Long::longValue).max().orElse(0);
        }

        int secondsTo80() {
            for (int i = 0; i < ok.size(); i++) {
                if (peak() > 0 && ok.get(i) >= RAMP_SHARE * peak()) {
                    return i + 1;
                }
            }
            return 0;
        }

        double firstSecondShare() {
            return ok.isEmpty() || peak() == 0 ? 0 : (double) ok.get(0) / peak();
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
        if (!report.ramps().isEmpty()) {
            // OUT.json -> OUT.ramp.tsv, for the plot bench/run.sh makes with gnuplot (bench/ramp.gp)
            Files.writeString(Path.of(args[3].replaceFirst("\\.json$", "") + ".ramp.tsv"), report.rampTsv(), StandardCharsets.UTF_8);
        }
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

    private List<JsonNode> bursts(boolean nginx) {
        return ofType("burst").stream().filter(b -> "nginx".equals(b.path("name").asText()) == nginx).toList();
    }

    /** The start-up milliseconds per variant; a line without a variant is from a run before the class archive. */
    Map<String, List<Double>> startups() {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (String variant : VARIANTS.keySet()) {
            for (JsonNode s : ofType("startup")) {
                if (variant.equals(s.path("name").asText("no_archive"))) {
                    listOf(s.path("ms")).forEach(ms -> out.computeIfAbsent(variant, v -> new ArrayList<>()).add(ms.asDouble()));
                }
            }
        }
        return out;
    }

    List<Ramp> ramps() {
        List<Ramp> out = new ArrayList<>();
        for (String name : RAMPS.keySet()) {
            for (String variant : List.of("no_archive", "archive")) {
                ofType("ramp").stream().filter(r -> name.equals(r.path("name").asText()) && variant.equals(r.path("variant").asText()))
                        .forEach(r -> out.add(new Ramp(name, variant, listOf(r.path("ok")).stream().map(JsonNode::asLong).toList(),
                                r.path("errors").asLong())));
            }
        }
        return out;
    }

    static double medianOf(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * The ramps as gnuplot data (bench/ramp.gp): one block per scenario (two blank lines apart, gnuplot's index),
     * columns second, without the archive, with it (NaN where a variant did not run).
     */
    String rampTsv() {
        StringBuilder tsv = new StringBuilder("# 2xx answers per 1 s window after the first 200; columns: second, no archive, archive\n");
        for (String name : RAMPS.keySet()) {
            List<Ramp> both = ramps().stream().filter(r -> r.name().equals(name)).toList();
            if (both.isEmpty()) {
                continue;
            }
            tsv.append("# ").append(name).append('\n');
            int seconds = both.stream().mapToInt(r -> r.ok().size()).max().orElse(0);
            for (int i = 0; i < seconds; i++) {
                tsv.append(i + 1);
                for (String variant : List.of("no_archive", "archive")) {
                    int second = i;
                    tsv.append('\t').append(both.stream().filter(r -> r.variant().equals(variant) && second < r.ok().size())
                            .map(r -> Long.toString(r.ok().get(second))).findFirst().orElse("NaN"));
                }
                tsv.append('\n');
            }
            tsv.append("\n\n");
        }
        return tsv.toString();
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
        Map<String, List<Double>> starts = startups();
        String shipped = starts.containsKey("archive") ? "archive" : "no_archive";
        if (starts.containsKey(shipped)) {
            double ms = medianOf(starts.get(shipped));
            StringBuilder measured = new StringBuilder(fmt(ms, 0) + " ms");
            List<String> beside = new ArrayList<>();
            if (starts.containsKey("no_archive") && !shipped.equals("no_archive")) {
                beside.add("without the archive " + fmt(medianOf(starts.get("no_archive")), 0) + " ms");
            }
            if (starts.containsKey("java_version")) {
                beside.add("java -version alone " + fmt(medianOf(starts.get("java_version")), 0) + " ms");
            }
            if (!beside.isEmpty()) {
                measured.append(" (").append(String.join("; ", beside)).append(")");
            }
            out.add(atMost("start-up (7): exec to the first 200 on health, " + (shipped.equals("archive")
                            ? "with the class archive" : "no class archive") + ", median of " + starts.get(shipped).size(),
                    "", measured.toString(), ms, STARTUP_GOAL_MS, "ms"));
        }
        List<Ramp> ramps = ramps();
        String rampShipped = ramps.stream().anyMatch(r -> r.variant().equals("archive")) ? "archive" : "no_archive";
        for (Ramp r : ramps) {
            if (r.errors() > 0) {
                failures.add("ramp " + r.name() + " (" + r.variant() + "): " + r.errors() + " errors");
            }
            if (!r.variant().equals(rampShipped)) {
                continue;
            }
            int s = r.secondsTo80();
            boolean met = s >= 1 && s <= RAMP_GOAL_SECONDS;
            out.add(new Target("ramp (10): " + RAMPS.getOrDefault(r.name(), r.name()) + ", first 1 s window at ≥ "
                    + fmt(100 * RAMP_SHARE, 0) + " % of the peak, " + (rampShipped.equals("archive") ? "with" : "no")
                    + " class archive", "16",
                    (s == 0 ? "never" : "window " + s) + " (1st s: " + fmt(100 * r.firstSecondShare(), 0) + " % of "
                            + fmt(r.peak(), 0) + " req/s)",
                    "≤ " + RAMP_GOAL_SECONDS + " s", met, met ? "met" : "missed"));
        }
        // nginx answers the same burst beside the service: the floor this machine and this client allow.
        String nginxBurst = bursts(true).stream().map(n -> "; nginx, same burst: " + fmt(n.path("p99_ms").asDouble(), 1) + " ms")
                .findFirst().orElse("");
        for (JsonNode b : bursts(false)) {
            String burst = "connection burst (9): " + String.format(Locale.ROOT, "%,d", b.path("clients").asLong())
                    + " clients connecting at once, one health request each";
            long slow = b.path("over_1s").asLong();
            out.add(new Target(burst + ": answers over 1 s", "", Long.toString(slow), "0", slow == 0, slow == 0 ? "met" : "missed"));
            double p99 = b.path("p99_ms").asDouble();
            out.add(atMost(burst + ": p99", "", fmt(p99, 1) + " ms (max " + fmt(b.path("max_ms").asDouble(), 1) + nginxBurst + ")",
                    p99, 100, "ms"));
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
        Map<String, List<Double>> starts = startups();
        if (!starts.isEmpty()) {
            md.append("\n## Start-up (exec to the first 200 on health; starts interleaved)\n\n| What | Starts | Median ms | Min | Max |\n|---|---:|---:|---:|---:|\n");
            starts.forEach((variant, ms) -> md.append("| ").append(VARIANTS.get(variant)).append(" | ").append(ms.size())
                    .append(" | ").append(fmt(medianOf(ms), 0)).append(" | ")
                    .append(fmt(ms.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN), 0)).append(" | ")
                    .append(fmt(ms.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), 0)).append(" |\n"));
        }
        List<Ramp> ramps = ramps();
        if (!ramps.isEmpty()) {
            md.append("\n## Ramp after a start (2xx per 1 s window from the first 200, 16 connections)\n\n"
                    + "| Scenario | Class archive | Peak req/s | 1st s | 2nd s | First window ≥ 80 % of peak | Every window |\n|---|---|---:|---:|---:|---:|---|\n");
            for (Ramp r : ramps) {
                md.append("| ").append(RAMPS.get(r.name())).append(" | ").append(r.variant().equals("archive") ? "yes" : "no")
                        .append(" | ").append(fmt(r.peak(), 0)).append(" | ")
                        .append(r.ok().isEmpty() ? "–" : fmt(r.ok().get(0), 0)).append(" | ")
                        .append(r.ok().size() < 2 ? "–" : fmt(r.ok().get(1), 0)).append(" | ")
                        .append(r.secondsTo80() == 0 ? "never" : r.secondsTo80() + " s").append(" | ")
                        .append(String.join(" ", r.ok().stream().map(Object::toString).toList())).append(" |\n");
            }
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
        ObjectNode startup = facts.putObject("startup_ms");
        startups().forEach((variant, ms) -> {
            ArrayNode a = startup.putArray(variant);
            ms.forEach(a::add);
        });
        ArrayNode rampsJson = facts.putArray("ramps");
        for (Ramp r : ramps()) {
            ObjectNode o = rampsJson.addObject().put("name", r.name()).put("variant", r.variant()).put("peak_rps", r.peak())
                    .put("first_window_at_80_pct", r.secondsTo80()).put("errors", r.errors());
            r.ok().forEach(o.putArray("rps_per_second")::add);
        }
        ofType("rss").forEach(r -> facts.put("rss_after_mixed_kib", r.path("kib").asLong()));
        bursts(false).forEach(b -> facts.set("connection_burst", b));
        bursts(true).forEach(b -> facts.set("connection_burst_nginx", b));
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
