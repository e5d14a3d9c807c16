package dev.placement.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.api.Precision;
import dev.placement.core.catalog.ModelCatalog;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement models}: lists the built-in models, or with {@code --show} prints what the SDK derives from one
 * model (a catalogue id, a short name, or a config.json). Not thread-safe (picocli fills it once per run).
 */
@Command(name = "models", mixinStandardHelpOptions = true, versionProvider = PlacementCommand.Version.class,
        header = "List the built-in models, or show what the SDK derives from one.",
        description = {"Without --show: one line per built-in model (id, family, layers, parameters,",
            "bytes served).",
            "With --show ID_OR_CONFIG: the shape, parameters (total and active), bytes per",
            "weight and per layer, embedding and LM-head bytes and KV-cache bytes per token",
            "per layer, as plan and predict use them."},
        footer = {"", "Examples:", "  placement models", "  placement models --show Falcon3-10B-Base --dtype half",
            "  placement models --show ./Qwen3-30B-A3B/config.json --format json"})
final class ModelsCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--show", paramLabel = "ID_OR_CONFIG",
            description = "A catalogue id, its unambiguous short name (Falcon3-10B-Base), or a config.json path.")
    String show;

    @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "auto",
            description = "The dtype it is served in, as vLLM's --dtype: auto (default), half, float16, bfloat16, "
                    + "float32.")
    String dtype;

    @Option(names = "--kv-cache-dtype", paramLabel = "DTYPE", defaultValue = "auto",
            description = "vLLM's --kv-cache-dtype: auto (the dtype, the default), fp8, fp8_e4m3, fp8_e5m2.")
    String kvCacheDtype;

    @Mixin
    FormatOption format = new FormatOption();

    @Override
    public Integer call() {
        boolean json = format.json();
        Precision precision;
        try {
            precision = new Precision(dtype, kvCacheDtype);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(Precision.DTYPES.contains(dtype) ? "--kv-cache-dtype" : "--dtype", null,
                    e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (show != null) {
            ModelSpec m = precision.apply(ModelCatalog.builtIn().resolve(show, "--show", null));
            out.print(json ? json(details(m)) + "\n" : table(details(m)));
        } else {
            List<ModelSpec> models = ModelCatalog.builtIn().ids().stream()
                    .map(id -> precision.apply(ModelCatalog.builtIn().find(id).orElseThrow())).toList();
            out.print(json ? json(models.stream().map(ModelsCommand::summary).toList()) + "\n"
                    : list(models));
        }
        out.flush();
        return 0;
    }

    private static Map<String, Object> summary(ModelSpec m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", m.name());
        s.put("family", m.architecture());
        s.put("layers", m.layers());
        s.put("parameters", m.totalParameters());
        s.put("bytes", m.totalBytes());
        return s;
    }

    /** What plan and predict derive from a model, under camelCase keys. */
    static Map<String, Object> details(ModelSpec m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", m.name());
        d.put("family", m.architecture());
        d.put("layers", m.layers());
        d.put("hiddenSize", m.hiddenSize());
        d.put("ffnSize", m.ffnSize());
        d.put("attentionHeads", m.attentionHeads());
        d.put("kvHeads", m.kvHeads());
        d.put("headDim", m.headDim());
        d.put("vocabSize", m.vocabSize());
        d.put("contextLength", m.contextLength());
        if (m.experts().present()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("routed", m.experts().routed());
            e.put("activePerToken", m.experts().active());
            e.put("expertFfnSize", m.experts().expertFfnSize());
            e.put("sharedFfnSize", m.experts().sharedFfnSize());
            e.put("denseLayers", m.firstDenseLayers());
            d.put("experts", e);
        } else {
            d.put("experts", null);
        }
        d.put("latentAttention", m.latentAttention().present());
        d.put("quantization", m.quantization().present() ? m.quantization().method() : null);
        d.put("parameters", m.totalParameters());
        d.put("activeParameters", m.activeParameters());
        d.put("bytesPerWeight", m.bytesPerWeight());
        d.put("bytesPerLayer", m.bytesPerLayer());
        d.put("embeddingBytes", m.embeddingBytes());
        d.put("lmHeadBytes", m.lmHeadBytes());
        d.put("kvCacheBytesPerTokenPerLayer", m.kvCacheBytesPerTokenPerLayer());
        d.put("bytes", m.totalBytes());
        return d;
    }

    private static String table(Map<String, Object> details) {
        StringBuilder out = new StringBuilder();
        int width = details.keySet().stream().mapToInt(String::length).max().orElse(0);
        details.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", k,
                v == null ? "-" : v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v)));
        return out.toString();
    }

    private static String list(List<ModelSpec> models) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"id", "family", "layers", "parameters", "bytes"});
        for (ModelSpec m : models) {
            rows.add(new String[] {m.name(), m.architecture(), Integer.toString(m.layers()),
                String.format(Locale.ROOT, "%.2f B", m.totalParameters() / 1e9),
                String.format(Locale.ROOT, "%.1f GB", m.totalBytes() / 1e9)});
        }
        return Columns.render(rows);
    }

    static String json(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
