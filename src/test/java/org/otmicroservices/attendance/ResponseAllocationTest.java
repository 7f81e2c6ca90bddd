package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the server's threads allocate per health answer. Javalin copied each result() body through a buffer the size
 * of Jetty's output buffer, 32 KiB per response, so a burst of connections filled the young generation in the middle
 * of the burst (bench/: the burst scenario). Bytes allocated, not time: the same on any machine.
 */
class ResponseAllocationTest {
    private static final int REQUESTS = 300;
    private static final long MAX_BYTES_PER_ANSWER = 16 * 1024;

    @RegisterExtension
    static final TestApp app = new TestApp();

    @Test
    void aHealthAnswerAllocatesFarLessThanJettysOutputBuffer() {
        for (int i = 0; i < REQUESTS; i++) { // the path compiled and the threads started before counting
            assertEquals(200, app.get("/api/v1/attendance/health").statusCode());
        }
        Map<Long, Long> before = serverThreadsAllocated();
        for (int i = 0; i < REQUESTS; i++) {
            assertEquals(200, app.get("/api/v1/attendance/health").statusCode());
        }
        long allocated = 0;
        for (Map.Entry<Long, Long> thread : serverThreadsAllocated().entrySet()) {
            allocated += thread.getValue() - before.getOrDefault(thread.getKey(), 0L); // a new thread: all of it
        }
        long perAnswer = allocated / REQUESTS;
        assertTrue(perAnswer < MAX_BYTES_PER_ANSWER, perAnswer + " bytes per health answer");
    }

    /** Bytes allocated so far by the Jetty pool's threads ("http-N"), which accept, parse, answer and log. */
    private static Map<Long, Long> serverThreadsAllocated() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("http-")).mapToLong(Thread::getId).toArray();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        Map<Long, Long> byThread = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) { // -1: the thread ended meanwhile
                byThread.put(ids[i], bytes[i]);
            }
        }
        return byThread;
    }
}
