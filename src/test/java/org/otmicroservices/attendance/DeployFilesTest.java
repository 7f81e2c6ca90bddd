package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.otmicroservices.attendance.config.Config;

/** The shipped deployment files agree with the service and with run.sh (BehindNginxIT runs the nginx one). */
class DeployFilesTest {
    private static final Path UNIT = Path.of("docs/systemd/attendance-api.service");

    @Test
    void systemdUnitStartsTheJarWithRunShJvmFlags() throws IOException {
        String unit = Files.readString(UNIT);
        Matcher exec = Pattern.compile("(?m)^ExecStart=(.*)$").matcher(unit);
        assertTrue(exec.find(), "no ExecStart");
        List<String> command = List.of(exec.group(1).strip().split("\\s+"));
        List<String> flags = JarProcess.JVM_FLAGS;
        assertEquals(flags, command.subList(1, 1 + flags.size()), "ExecStart must use run.sh's JAVA_OPTS");
        assertEquals(List.of("-jar", "/opt/attendance-api/attendance-api.jar", "serve"),
                command.subList(1 + flags.size(), command.size()));
    }

    @Test
    void systemdUnitStopsGracefullyAndRestartsOnFailure() throws IOException {
        List<String> lines = Files.readAllLines(UNIT);
        for (String directive : List.of("Restart=on-failure", "KillSignal=SIGTERM", "TimeoutStopSec=15",
                "SuccessExitStatus=143", "WorkingDirectory=/opt/attendance-api",
                "Environment=CONFIG_FILE=/etc/attendance-api/config.yaml", "Environment=SERVER_PORT=%i")) {
            assertTrue(lines.contains(directive), UNIT + " lacks " + directive);
        }
    }

    @Test
    void nginxBodyLimitMatchesTheServiceDefault() throws IOException {
        String site = Files.readString(NginxProcess.SHIPPED_CONFIG);
        Matcher server = Pattern.compile("(?m)^    client_max_body_size (\\d+)m;$").matcher(site);
        assertTrue(server.find(), "no server-level client_max_body_size");
        long serviceDefault = Config.from(Map.of(
                "postgres", Map.of("host", "h", "port", 5432, "database", "d", "user", "u", "password", "p"),
                "redis", Map.of("host", "h", "port", 6379)), Map.of(), "test").server().maxBodyBytes();
        assertEquals(serviceDefault, Long.parseLong(server.group(1)) * 1024 * 1024);
    }
}
