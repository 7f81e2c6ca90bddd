package org.otmicroservices.attendance.metrics;

import com.zaxxer.hikari.HikariPoolMXBean;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.function.Supplier;

/**
 * Prometheus metrics under the names prometheus_flask_exporter used, so dashboards keep working, plus JVM,
 * cache and pool metrics. One registry per app instance (tests run several in one JVM).
 */
public final class Metrics {
    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final Histogram duration = Histogram.build()
            .name("flask_http_request_duration_seconds").help("Flask HTTP request duration in seconds")
            .labelNames("method", "path", "status").register(registry);
    private final Counter requests = Counter.build()
            .name("flask_http_request_total").help("Total number of HTTP requests")
            .labelNames("method", "status").register(registry);
    private final Counter exceptions = Counter.build()
            .name("flask_http_request_exceptions_total").help("Total number of HTTP requests which resulted in an exception")
            .labelNames("method", "status").register(registry);
    private final Counter cacheRequests = Counter.build()
            .name("attendance_cache_requests_total").help("Cache lookups by result (hit, miss)")
            .labelNames("result").register(registry);
    private final Counter nearCacheHits = Counter.build()
            .name("attendance_cache_local_hits_total").help("Cache hits answered from this instance's memory, without Redis (a subset of hits)")
            .register(registry);
    private final Gauge cacheUp = Gauge.build()
            .name("attendance_cache_available").help("1 while Redis answers, 0 while the cache is bypassed")
            .register(registry);

    public Metrics(String version) {
        DefaultExports.register(registry);
        Gauge.build().name("flask_exporter_info").help("Information about the Prometheus Flask exporter")
                .labelNames("version").register(registry).labels(version).set(1);
        Gauge.build().name("attendance_api").help("Attendance API opentelemetry metrics")
                .labelNames("version").register(registry).labels(version).set(1);
        cacheUp.set(1);
    }

    /** The path label is the route's path (every v1 route has a fixed one); unmatched requests share one label. */
    public void observe(String method, String path, int status, double seconds) {
        String code = Integer.toString(status);
        duration.labels(method, path, code).observe(seconds);
        requests.labels(method, code).inc();
        if (status >= 500) {
            exceptions.labels(method, code).inc();
        }
    }

    public void cacheHit() {
        cacheRequests.labels("hit").inc();
    }

    public void nearCacheHit() {
        nearCacheHits.inc();
    }

    public void cacheMiss() {
        cacheRequests.labels("miss").inc();
    }

    public void cacheAvailable(boolean available) {
        cacheUp.set(available ? 1 : 0);
    }

    public void watchPool(Supplier<HikariPoolMXBean> pool) {
        new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                HikariPoolMXBean p = pool.get();
                GaugeMetricFamily connections = new GaugeMetricFamily("attendance_db_pool_connections",
                        "PostgreSQL pool connections by state", List.of("state"));
                if (p != null) {
                    connections.addMetric(List.of("active"), p.getActiveConnections());
                    connections.addMetric(List.of("idle"), p.getIdleConnections());
                    connections.addMetric(List.of("total"), p.getTotalConnections());
                    connections.addMetric(List.of("pending"), p.getThreadsAwaitingConnection());
                }
                return List.of(connections);
            }
        }.register(registry);
    }

    public String scrape() {
        StringWriter out = new StringWriter(16_384);
        try {
            TextFormat.write004(out, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
