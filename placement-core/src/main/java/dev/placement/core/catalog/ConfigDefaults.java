package dev.placement.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

/**
 * What each family's transformers config class sets when a {@code config.json} leaves a field out (Gemma 3's
 * published {@code text_config}s give only what differs from {@code Gemma3TextConfig}'s defaults; a Llama 4
 * {@code text_config} may likewise lean on {@code Llama4TextConfig}'s, which also leave embeddings untied). Read once
 * from the bundled {@code config-defaults.json}, whose {@code _source} entries name the transformers file and
 * commit each family's values were read from. Thread-safe.
 */
final class ConfigDefaults {

    private static final String RESOURCE = "config-defaults.json";
    /** A wrapper's {@code model_type} whose text fields default as its text model's class does. */
    private static final Map<String, String> TEXT_MODEL_OF = Map.of("gemma3", "gemma3_text", "llama4", "llama4_text");

    private ConfigDefaults() {
    }

    private static final class Bundled {
        static final JsonNode ALL = load();

        private static JsonNode load() {
            try (InputStream in = ConfigDefaults.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled " + RESOURCE + " is missing from the jar");
                }
                return new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the bundled " + RESOURCE, e);
            }
        }
    }

    /**
     * @param modelType a {@code model_type}, in any case
     * @return its defaults (field → value), or {@code null} when none are bundled
     */
    static JsonNode of(String modelType) {
        String type = modelType.toLowerCase(Locale.ROOT);
        JsonNode d = Bundled.ALL.get(TEXT_MODEL_OF.getOrDefault(type, type));
        return d != null && d.isObject() ? d : null;
    }
}
