package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Reading the JSON the service writes: response bodies and access-log lines. */
final class TestJson {
    /** Strict: one JSON value and nothing after it but white space. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private TestJson() {}

    /** The parsed text; fails the test when it is not exactly one JSON value. */
    static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) {
                return fail("empty, not JSON: \"" + text + "\"");
            }
            return node;
        } catch (JsonProcessingException e) {
            return fail("not JSON (" + e.getOriginalMessage() + "): " + Leaks.abbreviate(text));
        }
    }

    /** The ids of a JSON array of records, in order. */
    static List<String> ids(String body) {
        List<String> ids = new ArrayList<>();
        parse(body).forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    /** The texts of a JSON array's elements, in order. */
    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    /** The names of an object's fields, in order. */
    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
