package dev.placement.core.input;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.InvalidInputException;
import java.util.Set;

/**
 * The field checks the input readers share: each problem is an {@link InvalidInputException} naming the
 * source, the field and the value. Stateless.
 */
final class JsonFields {
    private JsonFields() {
    }

    /** Rejects a field of {@code obj} not in {@code allowed}, naming it as {@code prefix + name}. */
    static void rejectUnknown(JsonNode obj, String prefix, Set<String> allowed, String source) {
        obj.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw new InvalidInputException(source, prefix + name, "unknown field; valid fields here: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        });
    }

    /** @return the non-blank text of {@code obj.field}, whose problems name {@code path.field} */
    static String text(JsonNode obj, String field, String path, String source) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidInputException(source, path + "." + field, "missing");
        }
        if (!v.isValueNode() || v.asText().isBlank()) {
            throw new InvalidInputException(source, path + "." + field, "must be non-empty text, found " + describe(v));
        }
        return v.asText();
    }

    /** @return the positive number of {@code obj.field}, whose problems name {@code path.field} */
    static double positive(JsonNode obj, String field, String path, String source) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidInputException(source, path + "." + field, "missing");
        }
        double d = number(v, path + "." + field, source);
        if (!(d > 0)) {
            throw new InvalidInputException(source, path + "." + field, "must be positive, was " + v.asText());
        }
        return d;
    }

    /** @return the finite number {@code v}, whose problems name {@code path} */
    static double number(JsonNode v, String path, String source) {
        if (!v.isNumber()) {
            throw new InvalidInputException(source, path, "must be a number, found " + describe(v));
        }
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
            throw new InvalidInputException(source, path, "must be a finite number, was " + v.asText());
        }
        return d;
    }

    /** @return a value as a message shows it: text quoted, a list or a mapping by its kind */
    static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "'" + clip(v.asText()) + "'";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        return v.toString();
    }

    /** The most characters of a value a message echoes: enough to recognise it, not a megabyte of it. */
    static final int MAX_ECHOED_CHARS = 80;

    /** @return the value, cut at {@link #MAX_ECHOED_CHARS} characters with how many more there were */
    static String clip(String value) {
        return value.length() <= MAX_ECHOED_CHARS ? value
                : value.substring(0, MAX_ECHOED_CHARS) + "... (" + (value.length() - MAX_ECHOED_CHARS) + " more)";
    }
}
