package dev.placement.api;

import java.util.Locale;

/**
 * How a checkpoint's linear layers are stored, from its {@code quantization_config}: the method vLLM is told
 * ({@code --quantization}) and the mean bits per weight including the scales and zero points the method stores
 * per group. The embedding table, the LM head and the norms stay at the model's dtype (AWQ, GPTQ, FP8 and
 * bitsandbytes checkpoints leave them unquantized). An unquantized checkpoint has {@link #NONE}.
 *
 * @param method        vLLM's name of the method ({@code awq}, {@code gptq}, {@code fp8}, {@code bitsandbytes},
 *                      {@code compressed-tensors}, …), lower case; {@code none} when not quantized
 * @param bitsPerWeight mean storage bits per linear weight, scales and zero points included; 0 for {@code none},
 *                      else above 0 and at most 32
 * @param expertsOnly   whether only the MoE experts are quantized and attention stays at the model's dtype
 *                      (gpt-oss's MXFP4 checkpoints)
 */
public record WeightQuantization(String method, double bitsPerWeight, boolean expertsOnly) {

    /** Not quantized: linear weights at the model's dtype. */
    public static final WeightQuantization NONE = new WeightQuantization("none", 0, false);

    /**
     * Validates and lower-cases the method; see the class description.
     *
     * @param method        vLLM's name of the method, any case; {@code none} when not quantized; not blank
     * @param bitsPerWeight mean storage bits per linear weight; 0 for {@code none}, else above 0 and at most 32
     * @param expertsOnly   whether only the MoE experts are quantized; false for {@code none}
     */
    public WeightQuantization {
        Checks.notBlank(method, "model.quantization.method");
        method = method.toLowerCase(Locale.ROOT);
        if (method.equals("none") ? bitsPerWeight != 0 : !(bitsPerWeight > 0 && bitsPerWeight <= 32)) {
            throw new IllegalArgumentException("model.quantization.bitsPerWeight must be "
                    + (method.equals("none") ? "0 without quantization" : "above 0 and at most 32") + ", was "
                    + bitsPerWeight);
        }
        if (expertsOnly && method.equals("none")) { // present() would read the field before it is assigned
            throw new IllegalArgumentException("model.quantization: expertsOnly needs a quantization method");
        }
    }

    /**
     * Every linear layer quantized.
     *
     * @param method        vLLM's name of the method
     * @param bitsPerWeight mean storage bits per weight
     * @throws IllegalArgumentException as the canonical constructor
     */
    public WeightQuantization(String method, double bitsPerWeight) {
        this(method, bitsPerWeight, false);
    }

    /** @return whether the linear weights are quantized */
    public boolean present() {
        return !method.equals("none");
    }

    /**
     * @param dtypeBytes the model's dtype, used when not quantized
     * @return bytes per linear weight
     */
    public double bytesPerWeight(int dtypeBytes) {
        return present() ? bitsPerWeight / 8.0 : dtypeBytes;
    }
}
