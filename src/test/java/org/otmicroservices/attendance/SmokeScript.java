package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** scripts/smoke.sh, the operator's curl check of every route, run against a base URL (a jar, or nginx in front). */
final class SmokeScript {
    record Result(int exitCode, List<String> lines) {
        String output() {
            return String.join("\n", lines);
        }
    }

    private SmokeScript() {}

    static Result run(String baseUrl) {
        ProcessBuilder pb = new ProcessBuilder(JarProcess.PROJECT.resolve("scripts/smoke.sh").toString(), baseUrl)
                .directory(JarProcess.PROJECT.toFile()).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("smoke.sh did not finish: " + output);
            }
            return new Result(p.exitValue(), output.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
