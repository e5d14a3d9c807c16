package dev.placement.vllm.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * What the timing needs from one streamed chunk, read with Jackson's streaming parser instead of building a
 * tree: whether its {@code choices} holds anything (an output chunk) and the counts of its {@code usage}.
 * Anything else (an error, a chunk that is not a JSON object, a count that is not an integer) is left to the
 * tree reader, so that rare chunks keep their exact explanations. Reused, chunk after chunk, by one request.
 */
final class ChunkFields {
    boolean output;
    int completionTokens;
    int promptTokens;

    /**
     * Reads a chunk's fields.
     *
     * @return whether the chunk is a plain one read here; false if the tree reader must look at it
     */
    boolean read(JsonFactory factory, byte[] data, int length) {
        output = false;
        completionTokens = -1;
        promptTokens = -1;
        try (JsonParser p = factory.createParser(data, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "choices" -> output = value == JsonToken.START_ARRAY && nonEmpty(p);
                    case "usage" -> {
                        if (value == JsonToken.START_OBJECT && !usage(p)) {
                            return false;
                        }
                    }
                    case "error" -> {
                        if (value != JsonToken.VALUE_NULL) {
                            return false;
                        }
                    }
                    case "object" -> {
                        if (value == JsonToken.VALUE_STRING && p.getText().equals("error")) {
                            return false;
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return t == JsonToken.END_OBJECT && p.nextToken() == null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean nonEmpty(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        boolean any = t != JsonToken.END_ARRAY;
        while (t != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IOException("unterminated array");
            }
            p.skipChildren();
            t = p.nextToken();
        }
        return any;
    }

    /** @return false if a count is there but not a non-negative int */
    private boolean usage(JsonParser p) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            boolean count = name.equals("completion_tokens") || name.equals("prompt_tokens");
            if (!count) {
                p.skipChildren();
                continue;
            }
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                    || p.getIntValue() < 0) {
                return false;
            }
            if (name.equals("completion_tokens")) {
                completionTokens = p.getIntValue();
            } else {
                promptTokens = p.getIntValue();
            }
        }
        return t == JsonToken.END_OBJECT;
    }
}
