package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.BeforeClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.ParameterInfo;
import org.otmicroservices.attendance.config.Config;

/** The Redis servers that test instances use, in one of the service's three modes. */
interface RedisTopology extends AutoCloseable {
    enum Mode { SINGLE, SENTINEL, CLUSTER }

    /** The test config c pointed at these servers. */
    Config use(Config c);

    @Override
    void close();

    /** Started and ready; SINGLE is the shared Redis of config.yaml (TestEnv), which is never stopped. */
    static RedisTopology start(Mode mode, Path dir) {
        return switch (mode) {
            case SINGLE -> new RedisTopology() {
                @Override
                public Config use(Config c) {
                    return c;
                }

                @Override
                public void close() {}
            };
            case SENTINEL -> RedisSentinelSet.start(dir);
            case CLUSTER -> RedisClusterSet.start(dir);
        };
    }

    /**
     * For a @ParameterizedClass whose first argument is a Mode: starts that mode's servers before each invocation
     * and stops them after it, so each topology starts once per class, not per test. Register it (static, with
     * a lower @Order) before the TestApps whose config it changes: they start per invocation after it.
     */
    final class PerInvocation implements BeforeClassTemplateInvocationCallback, AfterClassTemplateInvocationCallback {
        private RedisTopology current;
        private Path dir;

        @Override
        public void beforeClassTemplateInvocation(ExtensionContext context) throws IOException {
            Mode mode = ParameterInfo.get(context).getArguments().get(0, Mode.class);
            dir = Files.createTempDirectory("attendance-redis-" + mode.name().toLowerCase(java.util.Locale.ROOT));
            current = start(mode, dir);
        }

        @Override
        public void afterClassTemplateInvocation(ExtensionContext context) {
            if (current != null) {
                current.close();
                current = null;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The test config pointed at the current invocation's servers. */
        Config use(Config c) {
            if (current == null) {
                throw new IllegalStateException("no Redis topology started: register PerInvocation before the TestApps");
            }
            return current.use(c);
        }
    }
}
