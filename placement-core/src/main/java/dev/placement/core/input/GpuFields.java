package dev.placement.core.input;

import static dev.placement.core.input.JsonFields.describe;
import static dev.placement.core.input.JsonFields.number;
import static dev.placement.core.input.JsonFields.positive;
import static dev.placement.core.input.JsonFields.rejectUnknown;
import static dev.placement.core.input.JsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.GpuCatalog;
import dev.placement.api.GpuSpec;
import dev.placement.api.IntraNodeLink;
import dev.placement.api.InvalidInputException;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a node's GPU from the cluster file: a catalogue name or a description, and the link between the node's
 * GPUs ({@code intraNodeLink}, which replaces the GPU's usual one). Each problem is an
 * {@link InvalidInputException} naming the file, the field and the value. Stateless.
 */
final class GpuFields {

    /** The largest GPU figure read (GiB, GB/s, TFLOPS or µs): a thousand times any GPU made, exact in bytes. */
    static final double MAX_GPU_FIGURE = 1e6;

    private static final Set<String> GPU_FIELDS = Set.of("name", "memoryGiB", "bandwidthGBps", "fp16Tflops",
            "computeCapability", "intraNodeLink");
    private static final Set<String> LINK_FIELDS = Set.of("kind", "bandwidthGBps", "allReduceMicros");

    private GpuFields() {
    }

    /** The GPU at {@code path}: a catalogue name, or {name, memoryGiB, bandwidthGBps, fp16Tflops, ...}. */
    static GpuSpec gpu(JsonNode g, String path, String source, GpuCatalog gpus) {
        if (g == null || g.isNull()) {
            throw new InvalidInputException(source, path, "missing; give a catalogue name such as T4, or "
                    + "{name, memoryGiB, bandwidthGBps, fp16Tflops}");
        }
        if (g.isTextual()) {
            return gpus.get(g.asText(), source, path);
        }
        if (!g.isObject()) {
            throw new InvalidInputException(source, path, "must be a GPU name or a mapping, found " + describe(g));
        }
        rejectUnknown(g, path + ".", GPU_FIELDS, source);
        String name = text(g, "name", path, source);
        double memory = figure(g, "memoryGiB", path, source);
        double bandwidth = figure(g, "bandwidthGBps", path, source);
        double tflops = figure(g, "fp16Tflops", path, source);
        double capability = 0;
        if (g.has("computeCapability")) {
            capability = number(g.get("computeCapability"), path + ".computeCapability", source);
            if (!(capability >= 1 && capability < 100)) {
                throw new InvalidInputException(source, path + ".computeCapability", "must be a CUDA compute "
                        + "capability such as 7.5 or 8.9, was " + g.get("computeCapability").asText());
            }
        }
        GpuSpec gpu = GpuSpec.of(name, memory, bandwidth, tflops, capability);
        return g.has("intraNodeLink") ? gpu.withIntraNodeLink(link(g.get("intraNodeLink"), path
                + ".intraNodeLink", source)) : gpu;
    }

    /**
     * The link at {@code path}: {@code {kind: nvlink|pcie, bandwidthGBps: B, allReduceMicros: L}}, the latency
     * by default the kind's estimate ({@link IntraNodeLink#nvlink}, {@link IntraNodeLink#pcie}).
     */
    static IntraNodeLink link(JsonNode l, String path, String source) {
        if (!l.isObject()) {
            throw new InvalidInputException(source, path, "must be a mapping {kind: nvlink|pcie, bandwidthGBps: "
                    + "B, allReduceMicros: L}, found " + describe(l));
        }
        rejectUnknown(l, path + ".", LINK_FIELDS, source);
        String kind = text(l, "kind", path, source).toLowerCase(Locale.ROOT);
        double bandwidth = figure(l, "bandwidthGBps", path, source);
        IntraNodeLink link = switch (kind) {
            case "nvlink" -> IntraNodeLink.nvlink(bandwidth);
            case "pcie" -> IntraNodeLink.pcie(bandwidth);
            default -> throw new InvalidInputException(source, path + ".kind", "must be nvlink or pcie, was '"
                    + JsonFields.clip(l.get("kind").asText()) + "'");
        };
        if (l.has("allReduceMicros")) {
            double micros = number(l.get("allReduceMicros"), path + ".allReduceMicros", source);
            if (micros < 0 || micros > MAX_GPU_FIGURE) {
                throw new InvalidInputException(source, path + ".allReduceMicros", "must be 0 to "
                        + (long) MAX_GPU_FIGURE + " µs, was " + l.get("allReduceMicros").asText());
            }
            link = new IntraNodeLink(link.kind(), link.bandwidthBytesPerSecond(), micros);
        }
        return link;
    }

    private static double figure(JsonNode g, String field, String path, String source) {
        double d = positive(g, field, path, source);
        if (d > MAX_GPU_FIGURE) {
            throw new InvalidInputException(source, path + "." + field, "must be at most " + (long) MAX_GPU_FIGURE
                    + ", was " + g.get(field).asText());
        }
        return d;
    }
}
