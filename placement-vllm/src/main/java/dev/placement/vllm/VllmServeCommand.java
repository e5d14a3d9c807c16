package dev.placement.vllm;

import dev.placement.api.GpuSpec;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.WeightQuantization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What vLLM is told to run one placement with: the environment that pins the pipeline's layers and ranks
 * ({@code VLLM_PP_LAYER_PARTITION}, the newer Ray executor, {@code VLLM_RAY_BUNDLE_INDICES}) and the
 * {@code vllm serve} argument vector.
 */
final class VllmServeCommand {

    private VllmServeCommand() {
    }

    /** @return the variables for the server and its workers, the options' extra ones last, in a stable order */
    static Map<String, String> environment(Placement placement, VllmOptions options) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("VLLM_PP_LAYER_PARTITION", placement.layerPartition());
        env.put("VLLM_USE_RAY_V2_EXECUTOR_BACKEND", "1");
        List<String> indices = new ArrayList<>();
        for (int i = 0; i < placement.worldSize(); i++) {
            indices.add(Integer.toString(i));
        }
        env.put("VLLM_RAY_BUNDLE_INDICES", String.join(",", indices));
        env.putAll(options.extraEnv());
        return env;
    }

    /**
     * @param source what vLLM loads
     * @param served the name the server answers to
     * @param port   the OpenAI server's port ({@code --port})
     * @return {@code vllm serve <source> ...}: pipeline-parallel over Ray, the placement's GPUs per stage
     */
    static List<String> command(String source, String served, Placement placement, PlacementRequest request,
            VllmOptions options, int port) {
        List<String> cmd = new ArrayList<>(List.of("vllm", "serve", source,
                "--pipeline-parallel-size", Integer.toString(placement.pipelineParallelSize()),
                "--tensor-parallel-size", Integer.toString(placement.tensorParallelSize()),
                "--distributed-executor-backend", "ray",
                "--host", options.host(),
                "--port", Integer.toString(port),
                "--served-model-name", served,
                "--gpu-memory-utilization", Double.toString(request.cluster().gpuMemoryUtilization()),
                "--max-model-len", Integer.toString(request.maxModelLen())));
        List<GpuSpec> gpus = placement.nodeIds().stream().map(id -> request.cluster().node(id).gpu()).toList();
        options.precision().vllmDtype(gpus).ifPresent(d -> cmd.addAll(List.of("--dtype", d)));
        options.precision().vllmKvCacheDtype().ifPresent(d -> cmd.addAll(List.of("--kv-cache-dtype", d)));
        quantization(request.model().quantization(), gpus).ifPresent(q -> cmd.addAll(List.of("--quantization", q)));
        if (options.enforceEager()) {
            cmd.add("--enforce-eager");
        }
        cmd.addAll(options.extraArgs());
        return cmd;
    }

    /**
     * vLLM's name for a checkpoint's quantization: AWQ and GPTQ run on the faster Marlin kernels (what vLLM picks
     * by itself when told nothing) only where every GPU has CUDA compute capability 8.0 or more; a T4 (7.5) gets
     * the plain kernels.
     */
    static Optional<String> quantization(WeightQuantization q, List<GpuSpec> gpus) {
        if (!q.present()) {
            return Optional.empty();
        }
        boolean marlin = !gpus.isEmpty() && gpus.stream().allMatch(g -> g.computeCapability() >= 8.0);
        return Optional.of(switch (q.method()) {
            case "awq" -> marlin ? "awq_marlin" : "awq";
            case "gptq" -> marlin ? "gptq_marlin" : "gptq";
            default -> q.method();
        });
    }
}
