package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The selector finder that PrometheusIT relies on to check the alerts' metric names and labels. */
class PromqlSelectorsTest {
    private static List<String> selectors(String expr) {
        return PromqlSelectors.of(expr).stream().map(s -> s.metric() + s.matchers()).toList();
    }

    @Test
    void findsTheMetricAndMatchersInsideFunctionsAndAggregations() {
        assertEquals(List.of("flask_http_request_duration_seconds_bucket[job=\"a\", path!~\"/x/(b|c\\\\.csv)\"]"),
                selectors("histogram_quantile(0.99, sum by (job, path, le) (rate(flask_http_request_duration_seconds_bucket"
                        + "{job=\"a\", path!~\"/x/(b|c\\\\.csv)\"}[5m]))) > 0.25"));
    }

    @Test
    void skipsLabelListsKeywordsNumbersAndGrafanaVariables() {
        assertEquals(List.of("x[status=~\"5..\"]", "y[]", "up[job=\"a\"]"),
                selectors("(sum(rate(x{status=~\"5..\"}[$__rate_interval])) or vector(0)) / ignoring (status) group_left"
                        + " sum without (path) (y) * 1e6 and on (instance) up{job=\"a\"} offset 5m"));
    }

    @Test
    void findsABareMetricName() {
        assertEquals(List.of("up[]"), selectors("up == 0"));
    }
}
