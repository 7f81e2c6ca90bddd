package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.http.RequestLog;

/** server.trust_proxy decides whether the access log's remote_address comes from X-Forwarded-For. */
class TrustProxyTest {
    @RegisterExtension
    static final TestApp trusting = new TestApp(c -> TestConfigs.with(c, "server.trust_proxy", true));

    @RegisterExtension
    static final TestApp direct = new TestApp();

    private static final Map<String, Object> REQUIRED = Map.of(
            "postgres", Map.of("host", "h", "port", 5432, "database", "d", "user", "u", "password", "p"),
            "redis", Map.of("host", "h", "port", 6379));

    @Test
    void trustProxyDefaultsToFalse() {
        assertFalse(Config.from(REQUIRED, Map.of(), "test").server().trustProxy());
    }

    @Test
    void trustProxyIsReadFromYamlAndTheEnvironmentWins() {
        Map<String, Object> yaml = new HashMap<>(REQUIRED);
        yaml.put("server", Map.of("trust_proxy", true));
        assertTrue(Config.from(yaml, Map.of(), "test").server().trustProxy());
        assertFalse(Config.from(yaml, Map.of("SERVER_TRUST_PROXY", "false"), "test").server().trustProxy());
        assertTrue(Config.from(REQUIRED, Map.of("SERVER_TRUST_PROXY", "TRUE"), "test").server().trustProxy());
    }

    @Test
    void trustProxyThatIsNotABooleanStopsStartUpNamingTheKey() {
        Config.ConfigException e = assertThrows(Config.ConfigException.class,
                () -> Config.from(REQUIRED, Map.of("SERVER_TRUST_PROXY", "maybe"), "test"));
        assertEquals("environment variable SERVER_TRUST_PROXY must be true or false (got text)", e.getMessage());
    }

    @Test
    void remoteAddressIsTheFirstForwardedEntryOnlyWhenTrusted() {
        RequestLog trusted = new RequestLog(new PrintStream(new ByteArrayOutputStream()), true);
        RequestLog untrusted = new RequestLog(new PrintStream(new ByteArrayOutputStream()), false);
        try (trusted; untrusted) {
            assertEquals("203.0.113.7", trusted.remoteAddress(" 203.0.113.7 , 10.0.0.1", "127.0.0.1"));
            assertEquals("2001:db8::1", trusted.remoteAddress("2001:db8::1", "127.0.0.1"));
            assertEquals("127.0.0.1", trusted.remoteAddress(null, "127.0.0.1"));
            assertEquals("127.0.0.1", trusted.remoteAddress(" , 10.0.0.1", "127.0.0.1"));
            assertEquals("127.0.0.1", untrusted.remoteAddress("203.0.113.7", "127.0.0.1"));
        }
    }

    @Test
    void trustingServiceLogsTheForwardedClient() {
        String marker = "/api/v1/attendance/health?trusted=" + System.nanoTime();
        trusting.send(HttpRequest.newBuilder(URI.create(trusting.url(marker)))
                .header("X-Forwarded-For", "203.0.113.7, 10.0.0.1").GET());
        assertEquals("203.0.113.7", remoteAddressLogged(trusting, marker));

        String unforwarded = "/api/v1/attendance/health?unforwarded=" + System.nanoTime();
        trusting.get(unforwarded);
        assertEquals("127.0.0.1", remoteAddressLogged(trusting, unforwarded));
    }

    @Test
    void serviceWithoutTrustProxyIgnoresTheHeaderAClientCanForge() {
        String marker = "/api/v1/attendance/health?direct=" + System.nanoTime();
        direct.send(HttpRequest.newBuilder(URI.create(direct.url(marker)))
                .header("X-Forwarded-For", "203.0.113.7").GET());
        assertEquals("127.0.0.1", remoteAddressLogged(direct, marker));
    }

    /** The access log is written by a background thread: wait (bounded) for the request's line. */
    private static String remoteAddressLogged(TestApp app, String pathAndQuery) {
        Pattern line = Pattern.compile("\"request\": \"GET " + Pattern.quote(pathAndQuery)
                + " HTTP/1.1\".*\"remote_address\": \"([^\"]*)\"");
        return Poll.until(() -> "an access log line for " + pathAndQuery + " in:\n" + app.accessLog(), Duration.ofSeconds(5), () -> {
            Matcher m = line.matcher(app.accessLog());
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        });
    }
}
