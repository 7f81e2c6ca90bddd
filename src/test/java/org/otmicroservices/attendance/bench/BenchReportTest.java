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
}
