package dev.placement.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.InvalidInputException;
import java.util.List;

/**
 * The text model's fields of one {@code config.json}, each read and checked under the path a user would look
 * for in the file. Looks fields up in the text config, then in the enclosing config; treats JSON {@code null} as
 * absent, as transformers does for {@code head_dim} and {@code num_key_value_heads}. A bad value raises an
 * {@link InvalidInputException} naming the file, the field and the value. Never changes the tree it reads.
 */
final class ConfigFields {

    private static final List<String> NESTED_TEXT_CONFIGS = List.of("text_config", "llm_config", "language_config");

    private final JsonNode node;
    /** Where {@code node} sits in the file ({@code "text_config."}), so that messages give the full path. */
    private final String prefix;
    private final JsonNode outer;
    /** The family's defaults (transformers' config class), read when neither config level has the field. */
    private final JsonNode defaults;
    private final String source;

    /**
     * The text model's fields: the nested config when there is one, else the top level.
     *
     * @param root   the whole config
     * @param source the file name for messages
     */
    static ConfigFields ofTextModel(JsonNode root, String source) {
        for (String key : NESTED_TEXT_CONFIGS) {
            JsonNode nested = root.get(key);
            if (nested != null && nested.isObject()) {
                return new ConfigFields(nested, key + ".", root, null, source);
            }
        }
        return new ConfigFields(root, "", null, null, source);
    }

    private ConfigFields(JsonNode node, String prefix, JsonNode outer, JsonNode defaults, String source) {
        this.node = node;
        this.prefix = prefix;
        this.outer = outer;
        this.defaults = defaults;
        this.source = source;
    }

    /**
     * @param familyDefaults field → value as the family's transformers config class defaults them, or
     *                       {@code null}
     * @return these fields, falling back to the defaults for a field neither config level has
     */
    ConfigFields withDefaults(JsonNode familyDefaults) {
        return new ConfigFields(node, prefix, outer, familyDefaults, source);
    }

    /** @return the file name that messages name */
    String source() {
        return source;
    }

    ConfigFields child(String key, JsonNode child) {
        return new ConfigFields(child, prefix + key + ".", null, null, source);
    }

    JsonNode node(String field) {
        JsonNode v = node.get(field);
        if ((v == null || v.isNull()) && outer != null) {
            v = outer.get(field);
        }
        if ((v == null || v.isNull()) && defaults != null) {
            v = defaults.get(field);
        }
        return v == null || v.isNull() ? null : v;
    }

    boolean has(String field) {
        return node(field) != null;
    }

    /** @return the path of a field as the user would find it in the file */
    String path(String field) {
        JsonNode v = node.get(field);
        boolean fromOuter = (v == null || v.isNull()) && outer != null && outer.hasNonNull(field);
        return fromOuter ? field : prefix + field;
    }

    String firstPresent(String... fields) {
        for (String field : fields) {
            if (has(field)) {
                return field;
            }
        }
        return null;
    }

    String text(String field) {
        JsonNode v = node(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    boolean bool(String field, boolean absent) {
        JsonNode v = node(field);
        if (v == null) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw new InvalidInputException(source, path(field), "expected true or false, found " + v);
        }
        return v.booleanValue();
    }

    int requirePositive(String... fields) {
        String field = firstPresent(fields);
        if (field == null) {
            String also = fields.length > 1 ? " (or " + String.join(", ", List.of(fields).subList(1,
                    fields.length)) + ")" : "";
            throw new InvalidInputException(source, prefix + fields[0], "missing; a config.json of this model "
                    + "family needs " + fields[0] + also + " as a positive whole number");
        }
        return positiveInt(field);
    }

    int optionalPositive(int absent, String... fields) {
        String field = firstPresent(fields);
        return field == null ? absent : positiveInt(field);
    }

    double optionalPositiveNumber(double absent, String field) {
        JsonNode v = node(field);
        if (v == null) {
            return absent;
        }
        if (!v.isNumber() || !(v.doubleValue() > 0) || Double.isInfinite(v.doubleValue())) {
            throw new InvalidInputException(source, path(field), "expected a positive number, found " + v);
        }
        return v.doubleValue();
    }

    private int positiveInt(String field) {
        JsonNode v = node(field);
        boolean whole = v.isIntegralNumber() || (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()));
        if (!v.isNumber() || !whole || !(v.doubleValue() >= 1) || v.doubleValue() > Integer.MAX_VALUE) {
            throw new InvalidInputException(source, path(field), "expected a positive whole number, found "
                    + v);
        }
        return v.intValue();
    }
}
