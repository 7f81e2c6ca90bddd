package org.otmicroservices.attendance.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of a graceful stop, so that a rolling restart behind nginx loses no request.
 *
 * Jetty's own graceful stop closes the listener and, at the same moment, makes its StatisticsHandler answer 503
 * to every request dispatched from then on, including one that arrives on a connection accepted a moment before.
 * nginx does not pass a POST that got a 503 to the other instance, so that create would fail. Here the listener
 * is closed first (new connections are refused, which nginx retries at the other instance even for POST, as no
 * request byte was sent) and every connection already accepted is served normally, answered with
 * "Connection: close", until none is left. Only then does the caller stop the server, which finds nothing to cut.
 */
public final class GracefulStop {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private GracefulStop() {}

    /** Closes every listener, then waits (at most timeout) until the connections already accepted are closed. */
    public static void closeListenersAndDrain(Server server, Duration timeout) {
        List<CompletableFuture<Void>> drained = new ArrayList<>();
        for (Connector connector : server.getConnectors()) {
            // Closes the listening socket, answers later responses with Connection: close, and drops idle
            // keep-alive connections after 1 s; done once the connector has no connection left.
            drained.add(connector.shutdown());
        }
        if (drained.isEmpty()) {
            return;
        }
        LOG.info("Stopped accepting connections; finishing the requests already received (up to {} s)", timeout.toSeconds());
        try {
            CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Connections still open after {} s; closing them", timeout.toSeconds());
        } catch (ExecutionException e) {
            LOG.warn("Draining connections failed: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
