package org.otmicroservices.attendance;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.openapi.OpenApiRequired;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The body of POST /create: exactly the string keys id, name, status and date. Parsing collects every
 * problem, so the 400 names them all. The date stays text here: PostgreSQL parses it, as it did for Flask.
 */
public record CreateRequest(@OpenApiRequired String id, @OpenApiRequired String name,
                            @OpenApiRequired String status, @OpenApiRequired String date) {
    static final int MAX_ID_LENGTH = 255;
    private static final List<String> KEYS = List.of("id", "name", "status", "date");
    private static final Set<String> INFINITE_DATES = Set.of("infinity", "+infinity", "-infinity");
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static CreateRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.validation(List.of(syntaxError(e)));
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
        List<String> details = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                details.add("unknown key: " + abbreviate(name));
            }
        }
        String[] values = new String[KEYS.size()];
        for (int i = 0; i < KEYS.size(); i++) {
            String key = KEYS.get(i);
            JsonNode value = root.get(key);
            if (value == null) {
                details.add(key + " is required");
            } else if (!value.isTextual()) {
                details.add(key + " must be a string, not " + value.getNodeType().name().toLowerCase(Locale.ROOT));
            } else {
                values[i] = value.textValue();
                checkText(key, values[i], details);
            }
        }
        if (values[0] != null && values[0].isEmpty()) {
            details.add("id must not be empty");
        } else if (values[0] != null && values[0].length() > MAX_ID_LENGTH) {
            details.add("id must be at most " + MAX_ID_LENGTH + " characters");
        }
        if (values[3] != null && INFINITE_DATES.contains(values[3].strip().toLowerCase(Locale.ROOT))) {
            details.add("date must be a calendar date, not " + values[3].strip());
        }
        if (!details.isEmpty()) {
            throw ApiError.validation(details);
        }
        return new CreateRequest(values[0], values[1], values[2], values[3]);
    }

    /** PostgreSQL text cannot hold NUL, and a lone surrogate would be stored as '?': refuse both. */
    static void checkText(String key, String value, List<String> details) {
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

    /** Jackson's message, without the "(start marker at [Source: REDACTED (`StreamReadFeature...` ...)" it may carry. */
    private static String syntaxError(JsonProcessingException e) {
        String why = e.getOriginalMessage();
        int marker = why.indexOf(" (start marker at");
        if (marker >= 0) {
            why = why.substring(0, marker);
        }
        JsonLocation at = e.getLocation();
        return "body is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                + ": " + why;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
