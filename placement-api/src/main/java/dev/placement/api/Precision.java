package dev.placement.api;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The element types vLLM serves a model in: {@code --dtype} and {@code --kv-cache-dtype}, with vLLM's rules for
 * {@code auto} ({@code ModelConfig._resolve_auto_dtype}): a float32 checkpoint is served in 16 bits, and a GPU
 * without bfloat16 (CUDA compute capability below 8.0, such as the T4) gets float16. A model read from a
 * {@code config.json} is already sized as {@code auto} serves it; {@link #apply} resizes it for another choice.
 *
 * @param dtype        one of {@code auto}, {@code half}, {@code float16}, {@code bfloat16}, {@code float},
 *                     {@code float32}
 * @param kvCacheDtype one of {@code auto} (the dtype), {@code fp8}, {@code fp8_e4m3}, {@code fp8_e5m2}
 */
public record Precision(String dtype, String kvCacheDtype) {

    /** The values vLLM's {@code --dtype} accepts. */
    public static final List<String> DTYPES = List.of("auto", "half", "float16", "bfloat16", "float", "float32");
    /** The values of vLLM's {@code --kv-cache-dtype} this model sizes. */
    public static final List<String> KV_CACHE_DTYPES = List.of("auto", "fp8", "fp8_e4m3", "fp8_e5m2");

    private static final Set<String> FULL = Set.of("float", "float32");

    /** vLLM's defaults (declared after the lists its construction checks against). */
    public static final Precision AUTO = new Precision("auto", "auto");

    /**
     * Validates both values; see the class description.
     *
     * @param dtype        vLLM's {@code --dtype}, one of {@link #DTYPES}; not null
     * @param kvCacheDtype vLLM's {@code --kv-cache-dtype}, one of {@link #KV_CACHE_DTYPES}; not null
     */
    public Precision {
        Checks.notNull(dtype, "dtype");
        Checks.notNull(kvCacheDtype, "kvCacheDtype");
        if (!DTYPES.contains(dtype)) {
            throw new IllegalArgumentException("dtype '" + dtype + "' is not one of " + String.join(", ", DTYPES));
        }
        if (!KV_CACHE_DTYPES.contains(kvCacheDtype)) {
            throw new IllegalArgumentException("kv-cache-dtype '" + kvCacheDtype + "' is not one of "
                    + String.join(", ", KV_CACHE_DTYPES));
        }
    }

    /**
     * The model as served with these types: the weights that are not quantized and the activations in 2 bytes
     * ({@code half}, {@code bfloat16}) or 4 ({@code float32}; {@code auto} keeps the model's), the KV cache in the
     * dtype or in 1 byte for fp8.
     *
     * @param model the model as {@code auto} serves it
     * @return the model with these element sizes
     */
    public ModelSpec apply(ModelSpec model) {
        Checks.notNull(model, "model");
        int bytes = dtype.equals("auto") ? model.dtypeBytes() : FULL.contains(dtype) ? 4 : 2;
        int kv = kvCacheDtype.equals("auto") ? bytes : 1;
        return bytes == model.dtypeBytes() && kv == model.kvCacheDtypeBytes() ? model : model.servedWith(bytes, kv);
    }

    /**
     * The {@code --dtype} to pass to vLLM on these GPUs: the chosen one, or for {@code auto} {@code half} when a
     * GPU is known to lack bfloat16 (vLLM decides on rank 0's GPU alone, and another stage's GPU may lack it).
     *
     * @param gpus the GPUs of every stage
     * @return the value, or empty to leave vLLM's default
     * @throws IllegalArgumentException naming the GPU if {@code bfloat16} was chosen for a GPU without it
     */
    public Optional<String> vllmDtype(Collection<GpuSpec> gpus) {
        Optional<GpuSpec> without = gpus.stream().filter(GpuSpec::lacksBf16).findFirst();
        if (dtype.equals("bfloat16") && without.isPresent()) {
            throw new IllegalArgumentException("dtype bfloat16: the " + without.get().name() + " has no bfloat16 "
                    + "(CUDA compute capability " + without.get().computeCapability() + "); use half");
        }
        if (dtype.equals("auto")) {
            return without.map(g -> "half");
        }
        return Optional.of(dtype);
    }

    /** @return the {@code --kv-cache-dtype} to pass to vLLM, or empty for its default */
    public Optional<String> vllmKvCacheDtype() {
        return kvCacheDtype.equals("auto") ? Optional.empty() : Optional.of(kvCacheDtype);
    }
}
