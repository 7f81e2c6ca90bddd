package org.otmicroservices.attendance.model;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The query string of the routes beyond Flask: filters (status, date, from, to, name) and keyset paging (limit,
 * after). A parameter given empty counts as not given, as HTML forms send them; every problem is named in the 400.
 */
public record RecordQuery(Filter filter, Integer limit, String after) {
    public static final int MAX_LIMIT = 10_000;
    static final List<String> FILTERS = List.of("status", "date", "from", "to", "name");
    private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");

    /** Which records to read: null fields do not filter; dates are inclusive; name is a case-insensitive substring. */
    public record Filter(String status, LocalDate date, LocalDate from, LocalDate to, String name) {
        static final Filter NONE = new Filter(null, null, null, null, null);
    }

    /** Every record: search/all without paging, as Flask answered it. */
    public static final RecordQuery ALL = new RecordQuery(Filter.NONE, null, null);

    public boolean paged() {
        return limit != null;
    }

    /** True when the request carries at least one non-empty filter: search then lists instead of finding by id. */
    public static boolean hasFilter(Map<String, List<String>> params) {
        return FILTERS.stream().anyMatch(key -> params.getOrDefault(key, List.of()).stream().anyMatch(v -> !v.isEmpty()));
    }

    /** True when the request asks for paging at all (even with a bad value, which then gets its 400). */
    public static boolean hasPaging(Map<String, List<String>> params) {
        return params.containsKey("limit") || params.containsKey("after");
    }

    /** Filters and paging: filtered search. */
    public static RecordQuery parse(Map<String, List<String>> params) {
        List<String> details = new ArrayList<>();
        Filter filter = filter(params, details);
        RecordQuery page = page(params, details);
        throwIfAny(details);
        return new RecordQuery(filter, page.limit(), page.after());
    }

    /** Paging only: search/all. */
    public static RecordQuery parsePage(Map<String, List<String>> params) {
        List<String> details = new ArrayList<>();
        RecordQuery page = page(params, details);
        throwIfAny(details);
        return page;
    }

    /** Filters only: the CSV export. */
    public static Filter parseFilter(Map<String, List<String>> params) {
        List<String> details = new ArrayList<>();
        Filter filter = filter(params, details);
        throwIfAny(details);
        return filter;
    }

    /** from and to only: the daily summary's range. */
    public static Filter parseRange(Map<String, List<String>> params) {
        List<String> details = new ArrayList<>();
        LocalDate from = date(params, "from", details);
        LocalDate to = date(params, "to", details);
        checkRange(from, to, details);
        throwIfAny(details);
        return new Filter(null, null, from, to, null);
    }

    private static RecordQuery page(Map<String, List<String>> params, List<String> details) {
        Integer limit = null;
        // Unlike an empty filter, an empty limit is not "no limit": it would answer every row to a client paging.
        String limitText = params.getOrDefault("limit", List.of()).equals(List.of("")) ? "" : single(params, "limit", details);
        if (limitText != null) {
            long value = DIGITS.matcher(limitText).matches() ? Long.parseLong(limitText) : -1;
            if (value < 1 || value > MAX_LIMIT) {
                details.add("limit must be a whole number from 1 to " + MAX_LIMIT + " (got " + quoted(limitText) + ")");
            } else {
                limit = (int) value;
            }
        }
        return new RecordQuery(Filter.NONE, limit, single(params, "after", details));
    }

    private static Filter filter(Map<String, List<String>> params, List<String> details) {
        String status = single(params, "status", details);
        LocalDate date = date(params, "date", details);
        LocalDate from = date(params, "from", details);
        LocalDate to = date(params, "to", details);
        checkRange(from, to, details);
        String name = single(params, "name", details);
        return new Filter(status, date, from, to, name);
    }

    private static void checkRange(LocalDate from, LocalDate to, List<String> details) {
        if (from != null && to != null && from.isAfter(to)) {
            details.add("from (" + from + ") must not be after to (" + to + ")");
        }
    }

    /** Strict ISO yyyy-MM-dd: unlike create, a filter is not handed to PostgreSQL's lenient date parser. */
    private static LocalDate date(Map<String, List<String>> params, String key, List<String> details) {
        String value = single(params, key, details);
        if (value == null) {
            return null;
        }
        if (ISO_DATE.matcher(value).matches()) {
            try {
                LocalDate date = LocalDate.parse(value);
                if (date.getYear() >= 1) {
                    return date;
                }
            } catch (DateTimeParseException e) {
                // named below
            }
        }
        details.add(key + " must be a date as yyyy-MM-dd, e.g. 2023-01-31 (got " + quoted(value) + ")");
        return null;
    }

    /** The one value of a parameter, or null; NUL and invalid UTF-8 never get here (the HTTP layer refuses them). */
    private static String single(Map<String, List<String>> params, String key, List<String> details) {
        List<String> values = params.getOrDefault(key, List.of());
        if (values.size() > 1) {
            details.add(key + " must be given once, not " + values.size() + " times");
            return null;
        }
        return values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    private static void throwIfAny(List<String> details) {
        if (!details.isEmpty()) {
            throw ApiError.validation(details);
        }
    }

    private static String quoted(String value) {
        return "\"" + (value.length() <= 32 ? value : value.substring(0, 32) + "...") + "\"";
    }
}
