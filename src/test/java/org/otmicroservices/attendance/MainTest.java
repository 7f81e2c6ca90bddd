package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line, run in-process through Main.run (the same code path as the jar, minus System.exit). */
class MainTest {
    private String out;
    private String err;

    @Test
    void helpListsEverySubcommandAndExitsZero() {
        assertEquals(0, run(Map.of(), "--help"));
        assertTrue(out.startsWith("usage: java -jar attendance-api.jar ["), out);
        for (String command : List.of("serve", "migrate", "release-locks", "check-config", "version")) {
            assertTrue(out.contains("\n  " + command + " "), "--help must describe " + command + ":\n" + out);
        }
        assertTrue(out.contains("(the default)"), out);
        assertEquals("", err);
    }

    @Test
    void unknownArgumentPrintsTheUsageLineAndExitsTwo() {
        assertEquals(2, run(Map.of(), "--frobnicate"));
        assertEquals("usage: java -jar attendance-api.jar [serve|migrate|release-locks|check-config|version|--help]\n", err);
        assertEquals("", out);
        assertEquals(2, run(Map.of(), "serve", "extra"));
    }

    @Test
    void checkConfigPassesAgainstTheRunningServices() {
        assertEquals(0, run(testEnv(Map.of()), "check-config"), out);
        String[] lines = out.split("\n");
        assertEquals(3, lines.length, out);
        assertTrue(lines[0].startsWith("ok   config: ") && lines[0].endsWith("config.yaml is valid"), out);
        assertTrue(lines[1].startsWith("ok   postgresql: ") && lines[1].contains("answers (PostgreSQL "), out);
        assertTrue(lines[2].startsWith("ok   redis: ") && lines[2].endsWith("answers (PONG)"), out);
    }

    @Test
    void checkConfigFailsQuicklyWhenNeitherServiceAnswersAndSaysWhich() throws IOException {
        long start = System.nanoTime();
        assertEquals(1, run(testEnv(Map.of("POSTGRES_PORT", String.valueOf(closedPort()),
                "REDIS_PORT", String.valueOf(closedPort()))), "check-config"), out);
        assertTrue(System.nanoTime() - start < 15_000_000_000L, "no retries, short time-outs");
        String[] lines = out.split("\n");
        assertEquals(3, lines.length, out);
        assertTrue(lines[0].startsWith("ok   config: "), out);
        assertTrue(lines[1].startsWith("FAIL postgresql: "), out);
        assertTrue(lines[2].startsWith("FAIL redis: "), out);
    }

    @Test
    void checkConfigReportsAWrongPasswordWithoutPrintingIt() {
        String password = "wrong-" + System.nanoTime();
        assertEquals(1, run(testEnv(Map.of("POSTGRES_PASSWORD", password)), "check-config"), out);
        assertTrue(out.contains("FAIL postgresql: ") && out.contains("password authentication failed"), out);
        assertFalse(out.contains(password) || err.contains(password), out + err);
    }

    @Test
    void checkConfigStopsAtAnInvalidConfigNamingTheKey() {
        assertEquals(1, run(testEnv(Map.of("POSTGRES_PORT", "five")), "check-config"), out);
        assertEquals("FAIL config: environment variable POSTGRES_PORT must be a whole number (got text)\n", out);
    }

    /** The project's config.yaml with the environment's overrides, as TestEnv reads it, plus extra ones. */
    private static Map<String, String> testEnv(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("CONFIG_FILE", "config.yaml");
        env.putAll(overrides);
        return env;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private int run(Map<String, String> env, String... args) {
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args, env);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            out = outBytes.toString(StandardCharsets.UTF_8);
            err = errBytes.toString(StandardCharsets.UTF_8);
        }
    }
}
