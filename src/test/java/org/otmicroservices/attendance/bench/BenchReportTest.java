package org.otmicroservices.attendance.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static String load(String name, int conc, int run, double rps, long errors) {
        return "{\"type\":\"load\",\"name\":\"" + name + "\",\"conc\":" + conc + ",\"run\":" + run + ",\"rps\":" + rps
                + ",\"p50_ms\":1,\"p99_ms\":2,\"bytes_per_s\":1000,\"errors\":" + errors + "}";
    }

    @Test
    void figuresAreTheMedianOfTheRunsWithTheirSpread() {
        BenchReport report = BenchReport.of(List.of(
                load("health", 16, 1, 900, 0), load("health", 16, 2, 1000, 0), load("health", 16, 3, 1200, 0)));
        BenchReport.Figures f = report.figures("load", "health", 16);
        assertEquals(1000, f.rps());
        assertEquals(30.0, f.spreadPct(), 1e-9);
    }

    @Test
    void aRatioBelowItsTargetIsMissedByTheShortfallAndFailsOnlyWhenTargetsAreEnforced() {
        BenchReport report = BenchReport.of(List.of(load("search_cached", 16, 1, 400, 0), load("bare_json", 16, 1, 1000, 0)));
        BenchReport.Target t = report.targets().get(0);
        assertFalse(t.met());
        assertEquals("missed by 20 %", t.verdict());
        assertEquals(0, report.exitCode(false));
        assertEquals(3, report.exitCode(true));
    }

    @Test
    void errorsOrAWriteWithoutItsRowFailTheRunEvenWithoutEnforcedTargets() {
        assertEquals(1, BenchReport.of(List.of(load("health", 16, 1, 1000, 2))).exitCode(false));
        String lost = "{\"type\":\"writes\",\"name\":\"create\",\"conc\":16,\"run\":1,\"rows\":99,\"server_200\":100,\"client_2xx\":98}";
        BenchReport report = BenchReport.of(List.of(load("create", 16, 1, 1000, 0), lost));
        assertEquals(1, report.exitCode(false));
        assertTrue(report.targets().stream().anyMatch(t -> t.verdict().equals("FAILED")));
    }

    @Test
    void answersTheClientMissedAtTheEndOfARunAreNoLostWrites() {
        // wrk stops with up to one request per connection in flight: the service answered and stored them.
        String cut = "{\"type\":\"writes\",\"name\":\"create\",\"conc\":16,\"run\":1,\"rows\":110,\"server_200\":110,\"client_2xx\":100}";
        assertEquals(0, BenchReport.of(List.of(load("create", 16, 1, 1000, 0), cut)).exitCode(false));
    }

    private static String ramp(String name, String variant, String ok, long errors) {
        return "{\"type\":\"ramp\",\"name\":\"" + name + "\",\"variant\":\"" + variant + "\",\"conc\":16,\"ok\":[" + ok
                + "],\"errors\":" + errors + "}";
    }

    private static BenchReport.Target target(BenchReport report, String startsWith) {
        return report.targets().stream().filter(t -> t.what().startsWith(startsWith)).findFirst().orElseThrow();
    }

    @Test
    void startUpIsTheMedianWithTheArchiveAgainst500MsWithTheFloorAndTheStartWithoutBesideIt() {
        BenchReport report = BenchReport.of(List.of(
                "{\"type\":\"startup\",\"name\":\"java_version\",\"ms\":[40,50,60]}",
                "{\"type\":\"startup\",\"name\":\"no_archive\",\"ms\":[900,1000,1100]}",
                "{\"type\":\"startup\",\"name\":\"archive\",\"ms\":[450,480,700]}"));
        BenchReport.Target t = target(report, "start-up");
        assertTrue(t.met(), t.toString());
        assertEquals("480 ms (without the archive 1,000 ms; java -version alone 50 ms)", t.measured());
        assertFalse(target(BenchReport.of(List.of("{\"type\":\"startup\",\"name\":\"no_archive\",\"ms\":[900]}")),
                "start-up").met());
    }

    @Test
    void aRampMeetsItsTargetWhenTheFirstOrSecondWindowReaches80PercentOfItsPeak() {
        BenchReport report = BenchReport.of(List.of(
                ramp("search_cached", "no_archive", "100,300,900,1000", 0),
                ramp("search_cached", "archive", "500,850,1000,990", 0),
                ramp("create", "archive", "100,300,790,1000", 0)));
        List<BenchReport.Ramp> ramps = report.ramps();
        assertEquals(3, ramps.get(0).secondsTo80());
        assertEquals(2, ramps.get(1).secondsTo80());
        // Only the variant run.sh starts is a target: with the archive.
        List<BenchReport.Target> targets = report.targets().stream().filter(t -> t.what().startsWith("ramp")).toList();
        assertEquals(2, targets.size());
        assertTrue(targets.get(0).met(), targets.get(0).toString());
        assertFalse(targets.get(1).met(), targets.get(1).toString());
        assertEquals("window 4 (1st s: 10 % of 1,000 req/s)", targets.get(1).measured());
        assertEquals(0, report.exitCode(false));
        assertEquals(3, report.exitCode(true));
    }

    @Test
    void rampErrorsFailTheRunAndTheRampDataHasNaNWhereAVariantDidNotRun() {
        assertEquals(1, BenchReport.of(List.of(ramp("create", "archive", "10,20", 3))).exitCode(false));
        String tsv = BenchReport.of(List.of(ramp("search_uncached", "no_archive", "10,20,30", 0),
                ramp("search_uncached", "archive", "25,30", 0))).rampTsv();
        assertTrue(tsv.contains("# search_uncached\n1\t10\t25\n2\t20\t30\n3\t30\tNaN\n"), tsv);
    }
}
