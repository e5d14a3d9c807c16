package dev.placement.core.catalog;

import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models Placement knows by Hugging Face id. Immutable and thread-safe.
 *
 * <p>TEMPORARY: entries are written inline; the catalogue issue replaces them with bundled config.json
 * resources read by the Hugging Face config parser.
 */
public final class ModelCatalog {

    private static final ModelCatalog BUILT_IN = new ModelCatalog(List.of(
            new ModelSpec("tiiuae/Falcon3-10B-Base", "llama", 40, 3072, 23040, 12, 4, 256, 131072, 32768, 2,
                    false, true)));

    private final Map<String, ModelSpec> byId = new LinkedHashMap<>();

    private ModelCatalog(List<ModelSpec> models) {
        models.forEach(m -> byId.put(m.name(), m));
    }

    /** @return the built-in catalogue */
    public static ModelCatalog builtIn() {
        return BUILT_IN;
    }

    /**
     * @param id a Hugging Face model id, for example {@code "tiiuae/Falcon3-10B-Base"} (case-insensitive)
     * @return the model, or empty if unknown
     */
    public Optional<ModelSpec> find(String id) {
        return byId.values().stream().filter(m -> m.name().equalsIgnoreCase(id)).findFirst();
    }

    /**
     * @param id     a Hugging Face model id
     * @param source where the id came from, for the error message
     * @param field  the field or option that held it
     * @return the model
     * @throws InvalidInputException naming the id and listing the known ids
     */
    public ModelSpec get(String id, String source, String field) {
        return find(id).orElseThrow(() -> new InvalidInputException(source, field,
                "unknown model '" + id + "'; known models: " + String.join(", ", ids())
                        + " (or give the path of a Hugging Face config.json)"));
    }

    /** @return the known ids, in catalogue order */
    public List<String> ids() {
        return new ArrayList<>(byId.keySet());
    }
}
