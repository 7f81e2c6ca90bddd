package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Conditional GETs on the cached reads: a strong ETag and Cache-Control: no-cache; If-None-Match naming the
 * current tag answers 304 with no body, from the cache alone; after a write on any instance, 200 and a new tag.
 */
class ConditionalGetTest {
    private static final String V1 = "/api/v1/attendance";

    static FaultProxy postgres;

    /** Its PostgreSQL through a proxy, so a test can take the database away and see what the cache alone answers. */
    @RegisterExtension
    static final TestApp app = new TestApp(c -> {
        postgres = FaultProxy.to(c.postgres().hosts().get(0).host(), c.postgres().hosts().get(0).port());
        return TestConfigs.with(c, "postgres.host", postgres.host(), "postgres.port", postgres.port(),
                "postgres.connect_timeout_ms", 1000);
    });

    @AfterAll
    static void closeProxy() {
        postgres.close();
    }

    private static HttpResponse<String> get(String path, String ifNoneMatch) {
        var request = Http.request("GET", app.url(path), null, null);
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return Http.send(request);
    }

    private static String etag(HttpResponse<String> r) {
        return r.headers().firstValue("ETag").orElse("");
    }

    @Test
    void aRepeatWithTheETagIs304WithNoBodyAndAWriteOnAnotherInstanceMakesItA200WithANewTag() {
        app.create("etag-1", "Ada", "Present", "2023-01-02");
        HttpResponse<String> first = get(V1 + "/search?id=etag-1", null);
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(etag(first).matches("\"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+\""), "a strong ETag: " + etag(first));
        assertEquals("no-cache", first.headers().firstValue("Cache-Control").orElse(""));

        HttpResponse<String> hit = get(V1 + "/search?id=etag-1", null);
        assertEquals(etag(first), etag(hit), "the stored copy carries the tag of the body first sent");
        HttpResponse<String> again = get(V1 + "/search?id=etag-1", etag(first));
        assertEquals(304, again.statusCode(), again.body());
        assertEquals("", again.body());
        assertEquals(etag(first), etag(again));
        assertEquals(304, get(V1 + "/search?id=etag-1", "\"other\", W/" + etag(first)).statusCode(), "weak comparison, a list");
        assertEquals(200, get(V1 + "/search?id=etag-1", "\"other\"").statusCode());

        try (App sibling = app.startSibling()) {
            HttpResponse<String> put = Http.send(Http.request("PUT", "http://127.0.0.1:" + sibling.port() + V1 + "/etag-1",
                    "application/json", TestApp.record("etag-1", "Ada", "Absent", "2023-01-02")));
            assertEquals(200, put.statusCode(), put.body());
        }
        HttpResponse<String> changed = get(V1 + "/search?id=etag-1", etag(first));
        assertEquals(200, changed.statusCode(), changed.body());
        assertTrue(changed.body().contains("\"status\":\"Absent\""), changed.body());
        assertNotEquals(etag(first), etag(changed));
    }

    @Test
    void aCachedListAnswers304WithoutPostgres() {
        app.create("etag-list", "Bo", "Present", "2023-01-03");
        String all = V1 + "/search/all";
        get(all, null);
        HttpResponse<String> cached = get(all, null);
        assertEquals(200, cached.statusCode(), cached.body());
        postgres.refuse();
        try {
            HttpResponse<String> revalidated = get(all, etag(cached));
            assertEquals(304, revalidated.statusCode(), "the cache vouches for the tag with PostgreSQL gone: " + revalidated.body());
            assertEquals(503, get(V1 + "/search?id=not-cached", null).statusCode(), "PostgreSQL is gone indeed");
        } finally {
            postgres.pass();
            // The pool's cut connections fail once each; the other test needs PostgreSQL again.
            Poll.until("PostgreSQL answering again", java.time.Duration.ofSeconds(15),
                    () -> get(V1 + "/search?id=not-cached", null).statusCode() == 404);
        }
    }
}
