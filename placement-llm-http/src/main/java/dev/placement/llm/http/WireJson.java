package dev.placement.llm.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.placement.api.LlmRequest;

/**
 * A provider's JSON: writes its request records, reads its answers into its response records, and reads error
 * bodies leniently for an {@link ErrorBodyReader}. Unknown properties are ignored because servers add fields
 * without notice. Thread-safe, as a configured {@link ObjectMapper} is.
 */
final class WireJson {
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final ProviderFailures failures;

    WireJson(ProviderFailures failures) {
        this.failures = failures;
    }

    /** @see LlmHttpTransport#answerSchema(LlmRequest) */
    JsonNode answerSchema(LlmRequest request) {
        if (request.jsonSchema() == null) {
            return null;
        }
        JsonNode schema;
        try {
            schema = json.readTree(request.jsonSchema());
        } catch (JsonProcessingException e) {
            throw failures.redacted(LlmFailure.INVALID_REQUEST, "the answer schema '" + request.schemaName()
                    + "' is not valid JSON: " + e.getOriginalMessage());
        }
        if (schema == null || !schema.isObject()) {
            throw failures.redacted(LlmFailure.INVALID_REQUEST, "the answer schema '" + request.schemaName()
                    + "' is not a JSON object");
        }
        return schema;
    }

    /** @see LlmHttpTransport#toJson(Object) */
    String write(Object wire) {
        try {
            return json.writeValueAsString(wire);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the " + failures.provider() + " request", e);
        }
    }

    /** @see LlmHttpTransport#readAnswer(String, Class, String) */
    <T> T readAnswer(String body, Class<T> type, String format) {
        T value;
        try {
            value = json.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw failures.malformed("the answer is not a " + format + " JSON object (" + e.getOriginalMessage()
                    + ")", body);
        }
        if (value == null) {
            throw failures.malformed("the answer is empty", body);
        }
        return value;
    }

    /** @return an error body as JSON, or a missing node if it is empty or not JSON (HTML from a proxy) */
    JsonNode readLeniently(String body) {
        try {
            JsonNode node = json.readTree(body);
            return node == null ? MissingNode.getInstance() : node;
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }
}
