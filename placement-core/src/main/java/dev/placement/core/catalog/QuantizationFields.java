package dev.placement.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.InvalidInputException;
import dev.placement.api.WeightQuantization;
import java.util.Locale;

/**
 * Reads a checkpoint's {@code quantization_config} into the bits each linear weight takes in memory, scales and
 * zero points included, as each method stores them:
 * <ul>
 *   <li>AWQ, GPTQ: {@code bits} per weight plus, per group of {@code group_size} weights, a 16-bit scale and a
 *       {@code bits}-wide zero point (none without {@code zero_point} / with {@code sym}).</li>
 *   <li>FP8: 8 bits, plus a 32-bit scale per {@code weight_block_size} block when given.</li>
 *   <li>bitsandbytes: 4 bits plus a 32-bit absmax per 64 weights (8 bits per 64 and a 32-bit one per 256 blocks
 *       with double quantization), or 8 bits.</li>
 *   <li>compressed-tensors: the first config group's {@code num_bits}, plus a 16-bit scale per group.</li>
 *   <li>MXFP4 (gpt-oss): 4 bits plus an 8-bit scale per 32 weights.</li>
 * </ul>
 * The embedding table and LM head stay at the model's dtype for every method.
 */
final class QuantizationFields {

    private QuantizationFields() {
    }

    /** @return the checkpoint's quantization, or {@link WeightQuantization#NONE} when it has no config */
    static WeightQuantization of(ConfigFields f) {
        JsonNode q = f.node("quantization_config");
        if (q == null) {
            return WeightQuantization.NONE;
        }
        if (!q.isObject()) {
            throw new InvalidInputException(f.source(), f.path("quantization_config"), "expected an object, found " + q);
        }
        ConfigFields c = f.child("quantization_config", q);
        String method = c.text("quant_method");
        if (method == null) {
            method = q.path("load_in_4bit").asBoolean(false) || q.path("load_in_8bit").asBoolean(false)
                    ? "bitsandbytes" : null;
        }
        if (method == null) {
            throw new InvalidInputException(f.source(), c.path("quant_method"), "missing; expected the quantization "
                    + "method (awq, gptq, fp8, bitsandbytes, compressed-tensors, mxfp4)");
        }
        String m = method.toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (m) {
            case "awq", "awq-marlin" -> grouped("awq", c, c.optionalPositive(4, "bits", "w_bit"),
                    c.bool("zero_point", true));
            case "gptq", "gptq-marlin" -> grouped("gptq", c, c.optionalPositive(4, "bits"), !c.bool("sym", true));
            case "fp8" -> new WeightQuantization("fp8", 8 + blockScaleBits(c));
            case "bitsandbytes" -> bitsAndBytes(c);
            case "compressed-tensors" -> compressedTensors(c);
            case "mxfp4" -> new WeightQuantization("mxfp4", 4 + 8.0 / 32, true); // experts only (gpt-oss)
            default -> throw new InvalidInputException(f.source(), c.path("quant_method"), "unsupported quantization "
                    + "method '" + method + "'; supported: awq, gptq, fp8, bitsandbytes, compressed-tensors, mxfp4");
        };
    }

    private static WeightQuantization grouped(String method, ConfigFields c, int bits, boolean zeroPoint) {
        int group = groupSize(c, "group_size", "q_group_size");
        double perGroup = group <= 0 ? 0 : (16.0 + (zeroPoint ? bits : 0)) / group;
        return new WeightQuantization(method, bits + perGroup);
    }

    /** @return the group size, or 0 for per-channel (-1 in GPTQ configs: a scale per output row, negligible) */
    private static int groupSize(ConfigFields c, String... fields) {
        String field = c.firstPresent(fields);
        if (field == null) {
            return 128;
        }
        int g = c.node(field).asInt(0);
        return g < 0 ? 0 : c.requirePositive(field);
    }

    private static double blockScaleBits(ConfigFields c) {
        JsonNode block = c.node("weight_block_size");
        if (block == null || !block.isArray() || block.size() != 2) {
            return 0; // a per-tensor or per-channel scale: negligible per weight
        }
        long weights = (long) block.get(0).asInt(0) * block.get(1).asInt(0);
        return weights > 0 ? 32.0 / weights : 0;
    }

    private static WeightQuantization bitsAndBytes(ConfigFields c) {
        if (c.bool("load_in_8bit", false)) {
            return new WeightQuantization("bitsandbytes", 8);
        }
        boolean doubleQuant = c.bool("bnb_4bit_use_double_quant", false);
        return new WeightQuantization("bitsandbytes", 4 + (doubleQuant ? 8.0 / 64 + 32.0 / (64 * 256) : 32.0 / 64));
    }

    private static WeightQuantization compressedTensors(ConfigFields c) {
        JsonNode groups = c.node("config_groups");
        if (groups == null || !groups.isObject() || groups.isEmpty()) {
            throw new InvalidInputException(c.source(), c.path("config_groups"), "missing; a compressed-tensors "
                    + "config needs a config group with weights.num_bits");
        }
        String name = groups.fieldNames().next();
        JsonNode weights = groups.get(name).path("weights");
        int bits = weights.path("num_bits").asInt(0);
        if (bits < 1 || bits > 16) {
            throw new InvalidInputException(c.source(), c.path("config_groups") + "." + name + ".weights.num_bits",
                    "expected 1 to 16 bits, found " + weights.path("num_bits"));
        }
        int group = weights.path("group_size").asInt(0);
        boolean grouped = "group".equalsIgnoreCase(weights.path("strategy").asText("")) && group > 0;
        return new WeightQuantization("compressed-tensors", bits + (grouped ? 16.0 / group : 0));
    }
}
