package org.otmicroservices.attendance.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A record as a client sends it, validated: the body of POST /create (exactly the string keys id, name, status
 * and date), of PUT /{id} (the id from the path) and every row of a bulk import, under the same rules. Parsing
 * collects every problem, so the 400 names them all. The date stays text here: PostgreSQL parses it, as it did
 * for Flask; the two ways it can refuse one are named by DATE_NOT_ACCEPTED and DATE_OUT_OF_RANGE.
 */
public record RecordInput(String id, String name, String status, String date) {
    public static final int MAX_ID_LENGTH = 255;
    public static final String DATE_NOT_ACCEPTED = "date is not a date PostgreSQL accepts; send yyyy-MM-dd, e.g. 2023-01-31";
    /** Flask could not read back dates outside Python's date range. */
    public static final String DATE_OUT_OF_RANGE = "date must be between 0001-01-01 and 9999-12-31";
    private static final List<String> KEYS = List.of("id", "name", "status", "date");
    private static final Set<String> INFINITE_DATES = Set.of("infinity", "+infinity", "-infinity");
    /** Refuses duplicate keys and trailing data; the bulk import reads its array with it too. */
    public static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public static RecordInput parse(byte[] body) {
        JsonNode root = readObject(body);
        List<String> details = new ArrayList<>();
        RecordInput request = fromJson(root, details);
        if (request == null) {
            throw ApiError.validation(details);
        }
        return request;
    }

    /**
     * The body of PUT /{id}: name, status and date under the rules of create. The id comes from the path; a
     * client that sends the whole record may repeat it in the body, but not change it.
     */
    public static RecordInput parseUpdate(String pathId, byte[] body) {
        JsonNode root = readObject(body);
        List<String> details = new ArrayList<>();
        unknownKeys(root, details);
        JsonNode bodyId = root.get("id");
        if (bodyId != null && !(bodyId.isTextual() && bodyId.textValue().equals(pathId))) {
            details.add("id in the body must be left out or equal the id in the path");
        }
        String[] values = new String[KEYS.size()];
        values[0] = pathId;
        checkText("id", pathId, details);
        for (int i = 1; i < KEYS.size(); i++) {
            values[i] = field(root, KEYS.get(i), details);
        }
        checkIdAndDate(values[0], values[3], details);
        if (!details.isEmpty()) {
            throw ApiError.validation(details);
        }
        return new RecordInput(values[0], values[1], values[2], values[3]);
    }

    /** One record given as JSON (a create body, or an element of a bulk array); null if details were added. */
    public static RecordInput fromJson(JsonNode node, List<String> details) {
        int before = details.size();
        if (!node.isObject()) {
            details.add("a record must be a JSON object with id, name, status and date, not "
                    + node.getNodeType().name().toLowerCase(Locale.ROOT));
            return null;
        }
        unknownKeys(node, details);
        String[] values = new String[KEYS.size()];
        for (int i = 0; i < KEYS.size(); i++) {
            values[i] = field(node, KEYS.get(i), details);
        }
        checkIdAndDate(values[0], values[3], details);
        return details.size() == before ? new RecordInput(values[0], values[1], values[2], values[3]) : null;
    }

    /** One record given as four texts (a CSV row); null if details were added. */
    public static RecordInput fromFields(String id, String name, String status, String date, List<String> details) {
        int before = details.size();
        String[] values = {id, name, status, date};
        for (int i = 0; i < KEYS.size(); i++) {
            checkText(KEYS.get(i), values[i], details);
        }
        checkIdAndDate(id, date, details);
        return details.size() == before ? new RecordInput(id, name, status, date) : null;
    }

    private static JsonNode readObject(byte[] body) {
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.validation(List.of(jsonProblem(e)));
        } catch (IOException e) {
            throw ApiError.validation(List.of("body is not valid JSON"));
        }
        if (root == null || root.isMissingNode()) {
            throw ApiError.validation(List.of("body is empty: expected a JSON object with id, name, status and date"));
        }
        if (!root.isObject()) {
            throw ApiError.validation(List.of("body must be a JSON object with id, name, status and date, not "
                    + root.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return root;
    }

    private static void unknownKeys(JsonNode object, List<String> details) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                details.add("unknown key: " + abbreviate(name));
            }
        }
    }

    /** The text of a required string key, or null with the reason added to details. */
    private static String field(JsonNode object, String key, List<String> details) {
        JsonNode value = object.get(key);
        if (value == null) {
            details.add(key + " is required");
            return null;
        }
        if (!value.isTextual()) {
            details.add(key + " must be a string, not " + value.getNodeType().name().toLowerCase(Locale.ROOT));
            return null;
        }
        checkText(key, value.textValue(), details);
        return value.textValue();
    }

    private static void checkIdAndDate(String id, String date, List<String> details) {
        if (id != null && id.isEmpty()) {
            details.add("id must not be empty");
        } else if (id != null && id.length() > MAX_ID_LENGTH) {
            details.add("id must be at most " + MAX_ID_LENGTH + " characters");
        }
        if (date != null && INFINITE_DATES.contains(date.strip().toLowerCase(Locale.ROOT))) {
            details.add("date must be a calendar date, not " + date.strip());
        }
    }

    /** PostgreSQL text cannot hold NUL, and a lone surrogate would be stored as '?': refuse both. */
    public static void checkText(String key, String value, List<String> details) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                details.add(key + " must not contain NUL characters");
                return;
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                if (!paired) {
                    details.add(key + " contains an invalid Unicode surrogate");
                    return;
                }
                i++;
            }
        }
    }

    /** Jackson's own words and position, without the Java type names or source markers some of its messages carry. */
    private static String jsonProblem(JsonProcessingException e) {
        String what = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
        int marker = what.indexOf(" (start marker at");
        if (marker >= 0) {
            what = what.substring(0, marker);
        }
        if (e instanceof MismatchedInputException && what.startsWith("Trailing token")) {
            what = "more content after the JSON value";
        } else if (what.contains("`") || what.contains("com.fasterxml")) {
            what = "malformed";
        }
        JsonLocation at = e.getLocation();
        return "body is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                + ": " + (what.length() <= 200 ? what : what.substring(0, 200) + "...");
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
