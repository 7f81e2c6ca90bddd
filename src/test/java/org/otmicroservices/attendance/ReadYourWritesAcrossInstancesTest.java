package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Read-your-writes across two instances on one PostgreSQL and one Redis when one instance's link to Redis is slow
 * (a FaultProxy delay each way, order kept: an instance in a second zone). A write answered 2xx by one instance
 * must show in every read the other starts after that answer, on every read route, though the reader held copies
 * of those reads (it read them just before the write). The delay is what made these reads fail when kept copies
 * were trusted until Redis's push of the change arrived: on a bare loopback link the push nearly always won.
 */
class ReadYourWritesAcrossInstancesTest {
    private static final String V1 = org.otmicroservices.attendance.http.Routes.V1;
    /**
     * As many as in the measurements behind these cases. A pair waits on round trips more than it uses CPU (about
     * 0.16 s at 20 ms), so the class takes about two minutes even on a busy machine.
     */
    private static final int PAIRS = 300;
    /**
     * For the delayed instance: a 40 ms round trip on a loaded 2-core machine can pass the 100 ms default, and an
     * open breaker would send reads to PostgreSQL, hiding the very copies under test.
     */
    private static final int REDIS_TIMEOUT_MS = 1000;

    static FaultProxy proxy;
    static App delayed;

    @RegisterExtension
    static final TestApp direct = new TestApp();

    @BeforeAll
    static void startASecondInstanceWhoseRedisLinkGoesThroughAProxy() {
        proxy = FaultProxy.to(direct.config.redis().host(), direct.config.redis().port());
        delayed = direct.startSibling(c -> TestConfigs.with(c, "redis.host", proxy.host(), "redis.port", proxy.port(),
                "redis.timeout_ms", REDIS_TIMEOUT_MS));
    }

    @AfterAll
    static void stopIt() {
        if (delayed != null) {
            delayed.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void noDelayAndAnEmptyTable() {
        proxy.pass();
        direct.reset();
    }

    @ParameterizedTest(name = "{0} ms each way")
    @ValueSource(ints = {0, 2, 5, 20})
    void everyWriteShowsInTheNextReadsOfAnInstanceWhoseRedisLinkIsDelayed(int delayMs) {
        pairs(delayMs, direct.app, delayed, "the reader's Redis link");
    }

    @ParameterizedTest(name = "{0} ms each way")
    @ValueSource(ints = {0, 2, 5, 20})
    void everyWriteOfAnInstanceWhoseRedisLinkIsDelayedShowsInTheNextReadsOfAnother(int delayMs) {
        pairs(delayMs, delayed, direct.app, "the writer's Redis link");
    }

    private static void pairs(int delayMs, App writer, App reader, String what) {
        proxy.delay(Duration.ofMillis(delayMs));
        double keptBefore = keptHits(reader);
        ReadYourWrites.Tally tally = ReadYourWrites.pairs(url(writer), url(reader), PAIRS);
        String report = what + " delayed " + delayMs + " ms: " + tally + "; the reader answered "
                + (long) (keptHits(reader) - keptBefore) + " reads from copies kept in memory";
        System.out.println("ReadYourWritesAcrossInstancesTest: " + report);
        assertEquals(0, tally.stale(), report);
    }

    /**
     * One failed Redis request opens the writer's breaker (a loaded host, a Redis pause, here a refused link). A
     * write made right after, Redis answering again, must still reach the other instance before it is answered:
     * left to the breaker's periodic probe, the reader went on serving its kept copy until that probe ran. Each
     * round fails without the write's own probe unless the periodic one runs in the milliseconds between the heal
     * and the read.
     */
    @Test
    void aWriteRightAfterARedisFailureOfTheWriterStillShowsInTheOtherInstancesNextRead() {
        for (int round = 0; round < 10; round++) {
            String id = "blip" + round;
            assertEquals(200, direct.create(id, "Before", "Present", "2023-01-01").statusCode());
            double kept = keptHits(direct.app);
            Poll.until(() -> "a read of " + id + " answered from memory", Duration.ofSeconds(5), () -> {
                assertTrue(Http.get(url(direct.app) + V1 + "/search?id=" + id).body().contains("Before"));
                return keptHits(direct.app) > kept ? Optional.of(true) : Optional.empty();
            });
            proxy.refuse();
            assertTrue(Http.get(url(delayed) + V1 + "/health/detail").body().contains("\"redis\":\"down\""),
                    "the writer's breaker is open");
            proxy.pass();
            HttpResponse<String> put = Http.send(Http.request("PUT", url(delayed) + V1 + "/" + id, "application/json",
                    "{\"name\":\"After\",\"status\":\"Present\",\"date\":\"2023-01-01\"}"));
            assertEquals(200, put.statusCode(), put.body());
            String read = Http.get(url(direct.app) + V1 + "/search?id=" + id).body();
            assertTrue(read.contains("After"), "round " + round + ": the reader answered " + read);
            Poll.until("the writer's cache back in use", Duration.ofSeconds(5),
                    () -> Http.get(url(delayed) + V1 + "/health/detail").body().contains("\"redis\":\"up\""));
        }
    }

    private static double keptHits(App instance) {
        return direct.metric(instance, "attendance_cache_local_hits_total");
    }

    private static String url(App instance) {
        return "http://127.0.0.1:" + instance.port();
    }
}
