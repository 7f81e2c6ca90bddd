package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listening socket's backlog is server.accept_queue, not the JDK's 50, which drops a burst of connections
 * beyond it at the SYN (bench/: the burst scenario). The kernel shows it as the Send-Q of a listening socket.
 */
class AcceptQueueTest {
    @RegisterExtension
    static final TestApp app = new TestApp();

    @TempDir
    Path dir;

    @Test
    void theBacklogIsTheDefaultOf1024() {
        assertEquals(1024, backlog(app.app.port()));
    }

    @Test
    void theBacklogIsTheConfiguredAcceptQueue() {
        try (App sibling = app.startSibling(c -> TestConfigs.with(c, "server.accept_queue", 300))) {
            assertEquals(300, backlog(sibling.port()));
        }
    }

    /** `ss -ltn`: for a listening socket Send-Q is the backlog it was given (capped by net.core.somaxconn). */
    private int backlog(int port) {
        ToolRun.Result ss = ToolRun.run(dir, "ss-" + port, Duration.ofSeconds(10),
                List.of(DebianTool.path("ss", "iproute2").toString(), "-ltnH", "sport = :" + port));
        assertEquals(0, ss.exitCode(), ss.output());
        List<String> lines = ss.output().lines().filter(l -> l.startsWith("LISTEN")).toList();
        assertEquals(1, lines.size(), ss.output());
        return Integer.parseInt(lines.get(0).split("\\s+")[2]);
    }
}
