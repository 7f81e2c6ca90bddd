package org.otmicroservices.attendance.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The validation rules of the create body (README "Endpoints": the create body). */
class RecordInputTest {
    private static RecordInput parse(String json) {
        return RecordInput.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> refused(String json) {
        ApiError e = assertThrows(ApiError.class, () -> parse(json));
        assertEquals(400, e.status());
        assertEquals("Validation Error", e.error());
        return e.details();
    }

    private static String body(String id, String name, String status, String date) {
        return "{\"id\":" + id + ",\"name\":" + name + ",\"status\":" + status + ",\"date\":" + date + "}";
    }

    @Test
    void exactlyTheFourStringKeysInAnyOrderAreAccepted() {
        assertEquals(new RecordInput("1", "John", "Present", "2023-01-01"),
                parse(" {\"date\":\"2023-01-01\",\"status\":\"Present\",\"name\":\"John\",\"id\":\"1\"} \n"));
    }

    @Test
    void emptyNameAndStatusAreAcceptedAsInFlask() {
        assertEquals(new RecordInput("1", "", "", "x"), parse(body("\"1\"", "\"\"", "\"\"", "\"x\"")));
    }

    @Test
    void everyProblemIsListed() {
        assertEquals(List.of("unknown key: extra", "id must be a string, not number", "name must be a string, not null",
                        "status must be a string, not boolean", "date is required"),
                refused("{\"extra\":1,\"id\":1,\"name\":null,\"status\":true}"));
        assertEquals(List.of("id must be a string, not object", "name must be a string, not array"),
                refused(body("{}", "[]", "\"s\"", "\"d\"")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\t"})
    void anEmptyBodyIsRefused(String json) {
        assertEquals(List.of("body is empty: expected a JSON object with id, name, status and date"), refused(json));
    }

    @Test
    void aBodyThatIsNotAnObjectIsRefused() {
        assertEquals(List.of("body must be a JSON object with id, name, status and date, not array"), refused("[]"));
        assertEquals(List.of("body must be a JSON object with id, name, status and date, not null"), refused("null"));
        assertEquals(List.of("body must be a JSON object with id, name, status and date, not string"), refused("\"x\""));
        assertEquals(List.of("body must be a JSON object with id, name, status and date, not number"), refused("42"));
        assertEquals(List.of("body must be a JSON object with id, name, status and date, not boolean"), refused("true"));
    }

    @Test
    void malformedJsonNamesWhereAndWhy() {
        assertEquals(List.of("body is not valid JSON (line 1, column 2): Unexpected end-of-input: expected close marker for Object"),
                refused("{"));
        List<String> trailing = refused(body("\"1\"", "\"a\"", "\"b\"", "\"c\"") + " {}");
        assertTrue(trailing.get(0).startsWith("body is not valid JSON (line 1, column"), trailing.toString());
    }

    @Test
    void duplicateKeysAreRefused() {
        List<String> details = refused("{\"id\":\"1\",\"id\":\"2\",\"name\":\"a\",\"status\":\"b\",\"date\":\"c\"}");
        assertEquals(1, details.size());
        assertTrue(details.get(0).startsWith("body is not valid JSON") && details.get(0).endsWith("Duplicate field 'id'"), details.toString());
    }

    @Test
    void theIdMustNotBeEmptyNorLongerThan255Characters() {
        assertEquals(List.of("id must not be empty"), refused(body("\"\"", "\"a\"", "\"b\"", "\"c\"")));
        String max = "x".repeat(255);
        assertEquals(max, parse(body("\"" + max + "\"", "\"a\"", "\"b\"", "\"c\"")).id());
        assertEquals(List.of("id must be at most 255 characters"), refused(body("\"" + max + "x\"", "\"a\"", "\"b\"", "\"c\"")));
    }

    @Test
    void nulCharactersAreRefusedInEveryField() {
        assertEquals(List.of("id must not contain NUL characters", "name must not contain NUL characters",
                        "status must not contain NUL characters", "date must not contain NUL characters"),
                refused(body("\"a\\u0000\"", "\"\\u0000\"", "\"x\\u0000y\"", "\"2023-01-01\\u0000\"")));
    }

    @Test
    void loneSurrogatesAreRefusedAndPairsAccepted() {
        assertEquals(List.of("name contains an invalid Unicode surrogate"), refused(body("\"1\"", "\"\\ud800\"", "\"b\"", "\"c\"")));
        assertEquals(List.of("status contains an invalid Unicode surrogate"), refused(body("\"1\"", "\"a\"", "\"x\\udc00y\"", "\"c\"")));
        assertEquals(List.of("id contains an invalid Unicode surrogate"), refused(body("\"\\ude00\\ud83d\"", "\"a\"", "\"b\"", "\"c\"")));
        assertEquals("\ud83d\ude00", parse(body("\"1\"", "\"\\ud83d\\ude00\"", "\"b\"", "\"c\"")).name());
        assertEquals("\ud83d\ude00", parse(body("\"1\"", "\"\ud83d\ude00\"", "\"b\"", "\"c\"")).name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"infinity", "-infinity", "+infinity", "Infinity", " INFINITY "})
    void infiniteDatesAreRefused(String date) {
        assertEquals(List.of("date must be a calendar date, not " + date.strip()), refused(body("\"1\"", "\"a\"", "\"b\"", "\"" + date + "\"")));
    }

    @Test
    void otherDatesAreLeftForPostgresqlToParse() {
        assertEquals("Jan 8 2023", parse(body("\"1\"", "\"a\"", "\"b\"", "\"Jan 8 2023\"")).date());
        assertEquals("not a date", parse(body("\"1\"", "\"a\"", "\"b\"", "\"not a date\"")).date());
    }
}
