package org.otmicroservices.attendance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series selectors of a PromQL expression (metric name and label matchers), found with a tokenizer rather
 * than a parser: enough for the expressions this project ships. A test checks with them that each selector of an
 * alert matches what the service exports, where evaluating the alert would only show that it is quiet.
 */
final class PromqlSelectors {
    /** value: the string literal as written, quotes included, so the matcher can be sent back to Prometheus as is. */
    record LabelMatcher(String label, String op, String value) {
        @Override
        public String toString() {
            return label + op + value;
        }
    }

    record Selector(String metric, List<LabelMatcher> matchers) {}

    /** Identifiers, numbers and durations (5m, 0.99, 1e6), strings, two-character operators, any other character. */
    private static final Pattern TOKEN = Pattern.compile("\\s*(?:([A-Za-z_:][A-Za-z0-9_:]*)|(\\d[A-Za-z0-9_.]*)"
            + "|(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*')|(=~|!~|!=|==|>=|<=)|(\\S))");
    /** Keywords followed by a list of label names in parentheses. */
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

    private PromqlSelectors() {}

    static List<Selector> of(String expr) {
        List<String> tokens = tokens(expr);
        List<Selector> selectors = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
            if (LABEL_LISTS.contains(token)) {
                if (next.equals("(")) {
                    i = closing(tokens, i + 1);
                }
            } else if (isMetricName(tokens, i)) {
                List<LabelMatcher> matchers = new ArrayList<>();
                if (next.equals("{")) {
                    int j = i + 2;
                    while (j + 2 < tokens.size() && !tokens.get(j).equals("}")) {
                        matchers.add(new LabelMatcher(tokens.get(j), tokens.get(j + 1), tokens.get(j + 2)));
                        j += 3;
                        if (j < tokens.size() && tokens.get(j).equals(",")) {
                            j++;
                        }
                    }
                    i = j;
                }
                selectors.add(new Selector(token, matchers));
            }
        }
        return selectors;
    }

    /**
     * An identifier that is not a keyword, a function or aggregation (followed by "(", "by" or "without") or a
     * Grafana variable ($name).
     */
    private static boolean isMetricName(List<String> tokens, int i) {
        String token = tokens.get(i);
        String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
        boolean identifier = Character.isLetter(token.charAt(0)) || token.charAt(0) == '_' || token.charAt(0) == ':';
        return identifier && !KEYWORDS.contains(token.toLowerCase(Locale.ROOT)) && !next.equals("(")
                && !next.equals("by") && !next.equals("without") && !(i > 0 && tokens.get(i - 1).equals("$"));
    }

    private static List<String> tokens(String expr) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(expr);
        while (m.lookingAt()) {
            for (int g = 1; g <= m.groupCount(); g++) {
                if (m.group(g) != null) {
                    tokens.add(m.group(g));
                }
            }
            m.region(m.end(), expr.length());
        }
        return tokens;
    }

    /** The index of the ")" that closes the "(" at open. */
    private static int closing(List<String> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            depth += tokens.get(i).equals("(") ? 1 : tokens.get(i).equals(")") ? -1 : 0;
            if (depth == 0) {
                return i;
            }
        }
        return tokens.size();
    }
}
