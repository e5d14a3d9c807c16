package dev.placement.core.catalog;

import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models Placement knows by Hugging Face id, each read from its published {@code config.json}, bundled as a
 * resource ({@code dev/placement/core/catalog/models/<org>--<name>.json}; {@code SOURCES.md} beside them says
 * where each came from). Immutable and thread-safe.
 *
 * <p>Built in: {@code tiiuae/Falcon3-10B-Base}, {@code facebook/opt-125m}, {@code -350m}, {@code -1.3b},
 * {@code -6.7b}, {@code meta-llama/Llama-2-7b-hf}, {@code -13b-hf}, {@code meta-llama/Llama-3.1-8B},
 * {@code Qwen/Qwen2.5-7B}, {@code Qwen/Qwen3-8B}, {@code Qwen/Qwen3-30B-A3B} (mixture of experts),
 * {@code mistralai/Mistral-7B-v0.3}, {@code meta-llama/Llama-3.2-1B}, {@code -3B}, {@code google/gemma-3-4b-it}
 * (its text model), {@code microsoft/Phi-4-mini-instruct}, {@code mistralai/Mistral-Small-24B-Base-2501} and
 * {@code deepseek-ai/DeepSeek-R1-Distill-Qwen-7B}. Any other model is
 * read from its config.json with {@link #resolve(String, String, String)} or {@link ModelConfigs}.
 */
public final class ModelCatalog {

    private static final List<String> BUILT_IN_IDS = List.of(
            "tiiuae/Falcon3-10B-Base",
            "facebook/opt-125m",
            "facebook/opt-350m",
            "facebook/opt-1.3b",
            "facebook/opt-6.7b",
            "meta-llama/Llama-2-7b-hf",
            "meta-llama/Llama-2-13b-hf",
            "meta-llama/Llama-3.1-8B",
            "Qwen/Qwen2.5-7B",
            "Qwen/Qwen3-8B",
            "Qwen/Qwen3-30B-A3B",
            "mistralai/Mistral-7B-v0.3",
            "meta-llama/Llama-3.2-1B",
            "meta-llama/Llama-3.2-3B",
            "google/gemma-3-4b-it",
            "microsoft/Phi-4-mini-instruct",
            "mistralai/Mistral-Small-24B-Base-2501",
            "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B");

    private final Map<String, ModelSpec> byId = new LinkedHashMap<>();

    private ModelCatalog(List<ModelSpec> models) {
        models.forEach(m -> byId.put(m.name(), m));
    }

    /** Loaded on first use, then shared: the catalogue is an immutable constant. */
    private static final class BuiltIn {
        static final ModelCatalog INSTANCE = new ModelCatalog(BUILT_IN_IDS.stream().map(BuiltIn::load).toList());

        private static ModelSpec load(String id) {
            String resource = resourceName(id);
            try (InputStream in = ModelCatalog.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the built-in config " + resource + " is missing from the jar");
                }
                return ModelConfigs.fromConfigJson(id, in, resource);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the built-in config " + resource, e);
            }
        }
    }

    /** @return the built-in catalogue, read from the bundled configs on first use */
    public static ModelCatalog builtIn() {
        return BuiltIn.INSTANCE;
    }

    static String resourceName(String id) {
        return "models/" + id.replace("/", "--") + ".json";
    }

    /**
     * @param id a Hugging Face model id, for example {@code "tiiuae/Falcon3-10B-Base"}, or the part after its
     *           {@code /} when one model has it ({@code "Falcon3-10B-Base"}); case-insensitive
     * @return the model, or empty if unknown, if a short name fits several models, or if {@code id} is null
     */
    public Optional<ModelSpec> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.trim();
        Optional<ModelSpec> exact = byId.values().stream().filter(m -> m.name().equalsIgnoreCase(wanted))
                .findFirst();
        if (exact.isPresent() || wanted.contains("/")) {
            return exact;
        }
        List<ModelSpec> byShortName = byId.values().stream()
                .filter(m -> shortName(m.name()).equalsIgnoreCase(wanted)).toList();
        return byShortName.size() == 1 ? Optional.of(byShortName.get(0)) : Optional.empty();
    }

    /** @return the part of a Hugging Face id after its organisation, e.g. {@code Falcon3-10B-Base} */
    static String shortName(String id) {
        return id.substring(id.indexOf('/') + 1);
    }

    /**
     * Looks up a built-in model: {@code ModelCatalog.builtIn().get("tiiuae/Falcon3-10B-Base")}.
     *
     * @param id a Hugging Face model id, or its unambiguous short name (case-insensitive)
     * @return the model
     * @throws InvalidInputException if the catalogue has no such model; the message lists the known ids
     */
    public ModelSpec get(String id) {
        return get(id, "model catalogue", null);
    }

    /**
     * Finds a model by catalogue id, or reads it from a Hugging Face {@code config.json}: a path to the file, or
     * to a directory that holds one (a downloaded snapshot).
     *
     * @param idOrPath a catalogue id or its unambiguous short name (case-insensitive), or a file-system path
     * @return the model
     * @throws InvalidInputException if it is neither a known id nor an existing file (the message lists the
     *                               known ids), or naming the config file and field if that file is invalid
     */
    public ModelSpec resolve(String idOrPath) {
        return resolve(idOrPath, "model catalogue", null);
    }

    /**
     * Looks up a model id given in some input, for readers of input files: an unknown id is reported against
     * that input.
     *
     * @param id     a Hugging Face model id
     * @param source where the id came from, for the error message
     * @param field  the field or option that held it, or {@code null}
     * @return the model
     * @throws InvalidInputException naming the id and listing the known ids
     */
    public ModelSpec get(String id, String source, String field) {
        return find(id).orElseThrow(() -> new InvalidInputException(source, field,
                "unknown model '" + id + "'; known models: " + String.join(", ", ids())
                        + " (or give the path of a Hugging Face config.json)"));
    }

    /**
     * As {@link #resolve(String)}, for readers of input files: an unknown id is reported against that input.
     *
     * @param idOrPath a catalogue id or its unambiguous short name (case-insensitive), or a file-system path
     * @param source   where the value came from (a file name or option), for the error message
     * @param field    the field or option that held it, or {@code null}
     * @return the model
     * @throws InvalidInputException naming the value, listing the known ids, if it is neither a known id nor an
     *                               existing file; or naming the config file and field if that file is invalid
     */
    public ModelSpec resolve(String idOrPath, String source, String field) {
        Optional<ModelSpec> known = find(idOrPath);
        if (known.isPresent()) {
            return known.get();
        }
        Path file = configFile(idOrPath);
        if (file == null) {
            throw new InvalidInputException(source, field, "'" + idOrPath + "' is neither a known model nor a "
                    + "config.json file (or a directory holding one); known models: " + String.join(", ", ids()));
        }
        return ModelConfigs.fromConfigJson(file);
    }

    private static Path configFile(String idOrPath) {
        if (idOrPath == null || idOrPath.isBlank()) {
            return null;
        }
        try {
            Path p = Path.of(idOrPath.trim());
            if (Files.isDirectory(p)) {
                p = p.resolve("config.json");
            }
            return Files.isRegularFile(p) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** @return the known ids, in catalogue order */
    public List<String> ids() {
        return new ArrayList<>(byId.keySet());
    }
}
