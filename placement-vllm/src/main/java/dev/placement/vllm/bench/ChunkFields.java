package dev.placement.vllm.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;

/**
 * What the timing needs from one streamed chunk, read with Jackson's streaming parser instead of building a
 * tree: whether its {@code choices} holds anything (an output chunk) and the counts of its {@code usage}.
 * Anything else (an error, a chunk that is not a JSON object, a count that is not an integer) is left to the
 * tree reader, so that rare chunks keep their exact explanations. Reused, chunk after chunk, by one request.
 *
 * <p>It keeps one non-blocking parser and feeds it each chunk as the next root value, so that a plain chunk
 * allocates nothing: a parser made per chunk left about 0.9 KB of garbage each, and the young collections that
 * garbage caused (6–12 ms on 2 cores) stamped every stream's chunk late at once during a run
 * (docs/PERFORMANCE.md). After a chunk it does not read to the end, the parser is dropped and the next chunk
 * gets a new one.
 */
final class ChunkFields {
    boolean output;
    int completionTokens;
    int promptTokens;
    private JsonParser parser;

    /**
     * Reads a chunk's fields.
     *
     * @param data   the chunk's JSON; not kept after the call returns
     * @return whether the chunk is a plain one read here; false if the tree reader must look at it
     */
    boolean read(JsonFactory factory, byte[] data, int length) {
        output = false;
        completionTokens = -1;
        promptTokens = -1;
        try {
            if (parser == null) {
                parser = factory.createNonBlockingByteArrayParser();
            }
            JsonParser p = parser;
            ((ByteArrayFeeder) p.getNonBlockingInputFeeder()).feedInput(data, 0, length);
            if (plain(p) && p.nextToken() == JsonToken.NOT_AVAILABLE) {
                return true;
            }
        } catch (IOException | RuntimeException e) {
            // Left to the tree reader, which explains it.
        }
        drop();
        return false;
    }

    /** Closes the kept parser, if any. */
    void drop() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException ignored) {
                // Nothing is left to release.
            }
            parser = null;
        }
    }

    private boolean plain(JsonParser p) throws IOException {
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
                    if (value == JsonToken.VALUE_STRING && isError(p)) {
                        return false;
                    }
                }
                default -> skip(p, value);
            }
        }
        return t == JsonToken.END_OBJECT;
    }

    /** @return whether the current string is {@code error}, without making a String of it */
    private static boolean isError(JsonParser p) throws IOException {
        if (p.getTextLength() != 5) {
            return false;
        }
        char[] text = p.getTextCharacters();
        int at = p.getTextOffset();
        return text[at] == 'e' && text[at + 1] == 'r' && text[at + 2] == 'r' && text[at + 3] == 'o'
                && text[at + 4] == 'r';
    }

    /**
     * Skips the value just read; the non-blocking parser's own {@code skipChildren} cannot tell a value cut off
     * by the end of the chunk from one that ends, so every token is checked.
     */
    private static void skip(JsonParser p, JsonToken value) throws IOException {
        if (value == null || value == JsonToken.NOT_AVAILABLE) {
            throw new IOException("the chunk ends inside a value");
        }
        if (!value.isStructStart()) {
            return;
        }
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.NOT_AVAILABLE) {
                throw new IOException("the chunk ends inside a value");
            }
            depth += t.isStructStart() ? 1 : t.isStructEnd() ? -1 : 0;
        }
    }

    private static boolean nonEmpty(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        boolean any = t != JsonToken.END_ARRAY;
        while (t != JsonToken.END_ARRAY) {
            skip(p, t);
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
                skip(p, value);
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
