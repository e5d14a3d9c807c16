package dev.placement.core;

import dev.placement.api.GpuSpec;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Stage;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Predicts time to first token, inter-token latency, time per output token and output throughput of a
 * pipeline-parallel placement, and whether it fits in memory. Immutable and thread-safe.
 *
 * <p>Every physical effect is a named term (sizes from {@link dev.placement.api.ModelSpec}, times in ms):
 * <ul>
 *   <li><b>Stage memory.</b> {@code budget = gpuMemoryUtilization × memory}; {@code weights = layers ×
 *       bytesPerLayer} plus the embedding on rank 0 and the LM head and final norm on the last rank;
 *       {@code reserve = reserveBytes} (CUDA context, NCCL buffers, CUDA graphs) {@code + maxBatchedTokens ×
 *       (2·ffn + 4·hidden) × dtypeBytes} (activation peak of vLLM's profiling run) {@code + maxNumSeqs × vocab ×
 *       4} on the last rank (the sampler's float32 logits). What remains is KV cache. A stage whose KV cache
 *       cannot hold one sequence of max-model-len tokens does not fit. vLLM gives every stage the same number
 *       of KV blocks, so the smallest stage cache bounds how many workload sequences (prompt + answer tokens)
 *       run at once: {@code maxConcurrentSequences = min(maxNumSeqs, minStageTokens / sequenceTokens)}, and
 *       the effective concurrency is {@code b = min(workload concurrency, maxConcurrentSequences)}.</li>
 *   <li><b>Decode stage step.</b> Up to {@code m = min(K, b)} micro-batches of {@code q = b/m} sequences are
 *       in flight. One step of one micro-batch on a stage takes {@code max(memory, compute)}: memory =
 *       (its layers' weights + LM head on the last rank + q × mean context × layers × KV bytes per token per
 *       layer) / (bandwidth × memoryBandwidthEfficiency); compute = q × FLOPs / (fp16 FLOP/s ×
 *       computeEfficiency). Large batches make it compute bound. Both efficiencies are those of the stage's GPU
 *       kind ({@link Parameters#efficiencyOf}): its entry in {@code gpuEfficiencies}, else the global ones.</li>
 *   <li><b>Prefill stage.</b> Compute bound: prompt tokens × layers × FLOPs per token per layer (weights plus
 *       attention over the prompt) / effective FLOP/s, never less than reading the weights once per chunk of
 *       maxBatchedTokens.</li>
 *   <li><b>Link crossing.</b> {@code latencyCrossingFactor × RTT/2 + bytes / bandwidth} (bandwidth from the
 *       connectivity map, else defaultLinkBandwidthBytesPerSecond). Decode sends one activation vector
 *       ({@code activationBytesPerToken}) per sequence of the micro-batch, prefill one per prompt token. The
 *       hop from the last stage back to the driver on rank 0 (the sampled tokens) is on the critical path
 *       too. An unknown link makes a placement infeasible.</li>
 *   <li><b>Decode cycle.</b> {@code ring = Σ stage steps + Σ crossings + return hop + stepOverheadMillis};
 *       {@code cycle = max(ring, m × slowest stage step or link transfer)}: the pipeline cannot turn a
 *       micro-batch faster than its slowest resource serves all m of them.</li>
 *   <li><b>Prefill interference.</b> Each of the other b − 1 running requests prefills once during a request's
 *       answer; each stalls the ring for the prefill bottleneck {@code β = max(slowest stage prefill, slowest
 *       link transfer of the prompt)}. {@code ITL = cycle + (b − 1) × β / (output tokens − 1)}.</li>
 *   <li><b>TPOT.</b> {@code ITL × tpotPerItl}: a prediction of its own, not a second name for ITL.
 *       {@code vllm bench serve} averages ITL over every gap between streamed chunks and TPOT per request over
 *       its output tokens, so the two means differ on a real server; tpotPerItl is their measured ratio
 *       (default 1.0).</li>
 *   <li><b>TTFT under load.</b> A lone prompt takes {@code P = Σ stage prefills + Σ prompt crossings + return
 *       + stepOverheadMillis}; prefills of a burst of b requests overlap across stages, so the mean is {@code P
 *       + β × (b − 1)/2}. Requests beyond b wait for a slot: by Little's law in a closed loop of c clients each
 *       waits {@code service × (c − b)/b}, where {@code service = burst TTFT + (output − 1) × ITL}.</li>
 *   <li><b>Throughput.</b> {@code b × output tokens / service}.</li>
 * </ul>
 * Compute-bound prefills overlap across stages, so more stages shorten TTFT under a burst; memory-bound decode
 * gains little from more stages except through the larger KV cache, and pays every link.
 *
 * <p>{@link #calibrate} fits the efficiencies, the crossing factor, the step overhead and tpotPerItl to measured
 * runs, within physical ranges and held at this model's values where the data does not identify them, and
 * adopts the fit only when it predicts held-out runs better ({@link Calibration}).
 */
public final class PerformanceModel implements MetricsPredictor {

    private final Parameters parameters;

    /**
     * Creates a model with the given parameters.
     *
     * @param parameters the parameters; not null
     */
    public PerformanceModel(Parameters parameters) {
        this.parameters = Objects.requireNonNull(parameters, "parameters");
    }

    /** @return a model with {@link Parameters#defaults()} */
    public static PerformanceModel defaults() {
        return new PerformanceModel(Parameters.defaults());
    }

    /** @return this model's parameters */
    public Parameters parameters() {
        return parameters;
    }

    /**
     * Predicts the metrics of a placement.
     *
     * <p>Never throws for an infeasible placement: returns {@code fits() == false} with a reason (a stage out of
     * memory, a KV cache smaller than one max-model-len sequence, a workload sequence longer than
     * max-model-len, or a link with no known RTT).
     *
     * @param placement the placement; not null
     * @param request   the model, cluster, connectivity map and workload; not null
     * @return the prediction
     * @throws IllegalArgumentException if the placement names a node not in the request's cluster or does not
     *                                  cover the model's layers
     */
    public Prediction predict(Placement placement, PlacementRequest request) {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(request, "request");
        placement.requireLayers(request.model().layers());
        for (Stage s : placement.stages()) {
            request.cluster().node(s.nodeId());
        }
        return predict(placement, new PipelineCosts(request, parameters, placement.tensorParallelSize()));
    }

    /**
     * The predicted metrics of a placement that can run: {@link #predict} for the role the orchestrator and
     * the simulator see.
     *
     * @param placement the placement; not null
     * @param request   the model, cluster, connectivity map and workload; not null
     * @return the predicted metrics
     * @throws InfeasiblePlacementException with the prediction's reason if the placement does not fit
     * @throws IllegalArgumentException     if the placement names a node not in the request's cluster or does
     *                                      not cover the model's layers
     */
    @Override
    public PipelineMetrics predictMetrics(Placement placement, PlacementRequest request) {
        Prediction p = predict(placement, request);
        if (!p.fits()) {
            throw new InfeasiblePlacementException(p.infeasibleReason());
        }
        return p.metrics();
    }

    Prediction predict(Placement placement, PipelineCosts c) {
        return Prediction.of(placement, c);
    }

    /**
     * Calibrates this model to measured runs: a bounded fit of the efficiencies (per GPU kind when the runs
     * used several kinds), the crossing factor, the step overhead and tpotPerItl, with this model as the prior,
     * adopted only when it lowers the leave-one-out cross-validated error. See {@link Calibration} for the
     * fit, the ranges and the rule. Deterministic; an observation whose placement does not fit this model's
     * memory or links, or that measured nothing, is ignored.
     *
     * @param observations placements that ran, with what was measured; not null, no null elements
     * @return the calibration: prior (this model), fit, whether it was adopted ({@link Calibration#model()} is
     *         the model to use), per-parameter estimates and cross-validated errors
     * @throws IllegalArgumentException if the list is empty, or an observation's placement names a node not in
     *                                  its request's cluster or does not cover the model's layers
     */
    public Calibration calibrate(List<Observation> observations) {
        Objects.requireNonNull(observations, "observations");
        if (observations.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one observation");
        }
        return Calibration.of(this, observations);
    }

    static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }

    /** Two models are equal when their parameters are: they predict the same. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PerformanceModel m && m.parameters.equals(parameters);
    }

    /** @return the hash of the parameters, consistent with {@link #equals} */
    @Override
    public int hashCode() {
        return parameters.hashCode();
    }

    @Override
    public String toString() {
        return "PerformanceModel" + parameters;
    }

    /**
     * The model's parameters. Defaults ({@link #defaults()}) are documented per field; the ranges a calibration
     * keeps the fitted ones in are documented on {@link Calibration}.
     *
     * @param memoryBandwidthEfficiency        fraction of the data-sheet memory bandwidth a decode step achieves,
     *                                         in (0, 1]; default 0.80; used for every GPU kind without an entry
     *                                         in {@code gpuEfficiencies}
     * @param computeEfficiency                fraction of the data-sheet dense FP16 FLOP/s prefill achieves, in
     *                                         (0, 1]; default 0.40; likewise the fallback for every GPU kind
     * @param latencyCrossingFactor            one-way latencies (RTT/2) a stage-boundary crossing costs: a vLLM
     *                                         step sends the hidden state and residual and the runtime's own
     *                                         control messages, so it is more than one; &ge; 0; default 3.0
     * @param stepOverheadMillis               scheduler, sampler and driver time per decode step, in ms; &ge; 0;
     *                                         default 1.0
     * @param reserveBytes                     memory kept back per GPU for the CUDA context, NCCL buffers and
     *                                         CUDA graphs, in bytes; &ge; 0; default 1 GiB
     * @param maxBatchedTokens                 vLLM's max-num-batched-tokens: sizes the activation peak and the
     *                                         prefill chunks; positive; default 2048
     * @param maxNumSeqs                       vLLM's max-num-seqs: caps concurrent sequences; positive; default 256
     * @param defaultLinkBandwidthBytesPerSecond bandwidth of a link the connectivity map has none for, in bytes/s;
     *                                         positive; default 125,000,000 (1000 Mbps)
     * @param tpotPerItl                       mean TPOT ÷ mean ITL as {@code vllm bench serve} reports them; the
     *                                         model predicts TPOT = ITL × tpotPerItl. The bench takes ITL over
     *                                         every gap between streamed chunks and TPOT per request over its
     *                                         output tokens, so the two differ (TPOT ≈ 1.25 × ITL measured on
     *                                         3× T4); dimensionless, positive and finite; default 1.0
     * @param gpuEfficiencies                  efficiencies per GPU kind, keyed by {@link GpuSpec#name()}; a kind
     *                                         not in the map uses the two global efficiencies; not null (copied,
     *                                         iterated in name order); default empty
     */
    public record Parameters(
            double memoryBandwidthEfficiency,
            double computeEfficiency,
            double latencyCrossingFactor,
            double stepOverheadMillis,
            long reserveBytes,
            int maxBatchedTokens,
            int maxNumSeqs,
            double defaultLinkBandwidthBytesPerSecond,
            double tpotPerItl,
            Map<String, GpuEfficiency> gpuEfficiencies) {

        /**
         * Validates every field and copies the map; see the record description.
         *
         * @param memoryBandwidthEfficiency          fraction of the data-sheet memory bandwidth achieved; in (0, 1]
         * @param computeEfficiency                  fraction of the data-sheet dense FP16 FLOP/s achieved; in (0, 1]
         * @param latencyCrossingFactor              one-way latencies a stage-boundary crossing costs; finite, &ge; 0
         * @param stepOverheadMillis                 overhead per decode step in ms; finite, &ge; 0
         * @param reserveBytes                       memory kept back per GPU in bytes; &ge; 0
         * @param maxBatchedTokens                   vLLM's max-num-batched-tokens; positive
         * @param maxNumSeqs                         vLLM's max-num-seqs; positive
         * @param defaultLinkBandwidthBytesPerSecond bandwidth of a link without a measurement, bytes/s; positive,
         *                                           finite
         * @param tpotPerItl                         mean TPOT ÷ mean ITL, dimensionless; positive, finite
         * @param gpuEfficiencies                    efficiencies per GPU kind, keyed by GPU name; not null, no null
         *                                           key or value
         */
        public Parameters {
            fraction(memoryBandwidthEfficiency, "memoryBandwidthEfficiency");
            fraction(computeEfficiency, "computeEfficiency");
            if (!(latencyCrossingFactor >= 0) || Double.isInfinite(latencyCrossingFactor)) {
                throw new IllegalArgumentException("latencyCrossingFactor must be a finite number >= 0, was "
                        + latencyCrossingFactor);
            }
            if (!(stepOverheadMillis >= 0) || Double.isInfinite(stepOverheadMillis)) {
                throw new IllegalArgumentException("stepOverheadMillis must be a finite number >= 0, was "
                        + stepOverheadMillis);
            }
            if (reserveBytes < 0) {
                throw new IllegalArgumentException("reserveBytes must not be negative, was " + reserveBytes);
            }
            if (maxBatchedTokens < 1) {
                throw new IllegalArgumentException("maxBatchedTokens must be positive, was " + maxBatchedTokens);
            }
            if (maxNumSeqs < 1) {
                throw new IllegalArgumentException("maxNumSeqs must be positive, was " + maxNumSeqs);
            }
            if (!(defaultLinkBandwidthBytesPerSecond > 0) || Double.isInfinite(defaultLinkBandwidthBytesPerSecond)) {
                throw new IllegalArgumentException("defaultLinkBandwidthBytesPerSecond must be positive, was "
                        + defaultLinkBandwidthBytesPerSecond);
            }
            if (!(tpotPerItl > 0) || Double.isInfinite(tpotPerItl)) {
                throw new IllegalArgumentException("tpotPerItl must be a positive finite number, was " + tpotPerItl);
            }
            Objects.requireNonNull(gpuEfficiencies, "gpuEfficiencies");
            TreeMap<String, GpuEfficiency> sorted = new TreeMap<>();
            gpuEfficiencies.forEach((kind, e) -> sorted.put(Objects.requireNonNull(kind, "gpuEfficiencies key"),
                    Objects.requireNonNull(e, "gpuEfficiencies[" + kind + "]")));
            gpuEfficiencies = Collections.unmodifiableMap(sorted);
        }

        /**
         * The parameters of the model before TPOT and per-GPU-kind efficiencies existed: tpotPerItl 1.0 and no
         * per-kind efficiencies. Validates like the canonical constructor.
         *
         * @param memoryBandwidthEfficiency          fraction of the data-sheet memory bandwidth achieved; in (0, 1]
         * @param computeEfficiency                  fraction of the data-sheet dense FP16 FLOP/s achieved; in (0, 1]
         * @param latencyCrossingFactor              one-way latencies a stage-boundary crossing costs; finite, &ge; 0
         * @param stepOverheadMillis                 overhead per decode step in ms; finite, &ge; 0
         * @param reserveBytes                       memory kept back per GPU in bytes; &ge; 0
         * @param maxBatchedTokens                   vLLM's max-num-batched-tokens; positive
         * @param maxNumSeqs                         vLLM's max-num-seqs; positive
         * @param defaultLinkBandwidthBytesPerSecond bandwidth of a link without a measurement, bytes/s; positive,
         *                                           finite
         */
        public Parameters(double memoryBandwidthEfficiency, double computeEfficiency, double latencyCrossingFactor,
                double stepOverheadMillis, long reserveBytes, int maxBatchedTokens, int maxNumSeqs,
                double defaultLinkBandwidthBytesPerSecond) {
            this(memoryBandwidthEfficiency, computeEfficiency, latencyCrossingFactor, stepOverheadMillis,
                    reserveBytes, maxBatchedTokens, maxNumSeqs, defaultLinkBandwidthBytesPerSecond, 1.0, Map.of());
        }

        static void fraction(double v, String name) {
            if (!(v > 0 && v <= 1)) {
                throw new IllegalArgumentException(name + " must be in (0, 1], was " + v);
            }
        }

        /** @return the documented defaults */
        public static Parameters defaults() {
            return new Parameters(0.80, 0.40, 3.0, 1.0, 1L << 30, 2048, 256, 125e6, 1.0, Map.of());
        }

        /**
         * The efficiencies a GPU kind runs at: its entry in {@code gpuEfficiencies}, else the global ones.
         *
         * @param gpuName a {@link GpuSpec#name()}; not null
         * @return the efficiencies; never null
         */
        public GpuEfficiency efficiencyOf(String gpuName) {
            GpuEfficiency e = gpuEfficiencies.get(Objects.requireNonNull(gpuName, "gpuName"));
            return e != null ? e : new GpuEfficiency(memoryBandwidthEfficiency, computeEfficiency);
        }

        /**
         * A copy with another global memory-bandwidth efficiency.
         *
         * @param v fraction of the data-sheet memory bandwidth achieved, in (0, 1]
         * @return a copy with it
         * @throws IllegalArgumentException if {@code v} is out of range
         */
        public Parameters withMemoryBandwidthEfficiency(double v) {
            return new Parameters(v, computeEfficiency, latencyCrossingFactor, stepOverheadMillis, reserveBytes,
                    maxBatchedTokens, maxNumSeqs, defaultLinkBandwidthBytesPerSecond, tpotPerItl, gpuEfficiencies);
        }

        /**
         * A copy with another global compute efficiency.
         *
         * @param v fraction of the data-sheet dense FP16 FLOP/s achieved, in (0, 1]
         * @return a copy with it
         * @throws IllegalArgumentException if {@code v} is out of range
         */
        public Parameters withComputeEfficiency(double v) {
            return new Parameters(memoryBandwidthEfficiency, v, latencyCrossingFactor, stepOverheadMillis,
                    reserveBytes, maxBatchedTokens, maxNumSeqs, defaultLinkBandwidthBytesPerSecond, tpotPerItl,
                    gpuEfficiencies);
        }

        /**
         * A copy with another latency crossing factor.
         *
         * @param v one-way latencies per stage-boundary crossing; finite, &ge; 0
         * @return a copy with it
         * @throws IllegalArgumentException if {@code v} is out of range
         */
        public Parameters withLatencyCrossingFactor(double v) {
            return new Parameters(memoryBandwidthEfficiency, computeEfficiency, v, stepOverheadMillis, reserveBytes,
                    maxBatchedTokens, maxNumSeqs, defaultLinkBandwidthBytesPerSecond, tpotPerItl, gpuEfficiencies);
        }

        /**
         * A copy with another step overhead.
         *
         * @param v overhead per decode step in ms; finite, &ge; 0
         * @return a copy with it
         * @throws IllegalArgumentException if {@code v} is out of range
         */
        public Parameters withStepOverheadMillis(double v) {
            return new Parameters(memoryBandwidthEfficiency, computeEfficiency, latencyCrossingFactor, v,
                    reserveBytes, maxBatchedTokens, maxNumSeqs, defaultLinkBandwidthBytesPerSecond, tpotPerItl,
                    gpuEfficiencies);
        }

        /**
         * A copy with another memory reserve.
         *
         * @param v memory kept back per GPU in bytes; &ge; 0
         * @return a copy with it
         * @throws IllegalArgumentException if {@code v} is out of range
         */
        public Parameters withReserveBytes(long v) {
            return new Parameters(memoryBandwidthEfficiency, computeEfficiency, latencyCrossingFactor,
                    stepOverheadMillis, v, maxBatchedTokens, maxNumSeqs, defaultLinkBandwidthBytesPerSecond,
                    tpotPerItl, gpuEfficiencies);
        }

        /**
         * A copy with another batched-token limit.
         *
         * @param v vLLM's max-num-batched-tokens; positive
         * @return a copy with it
         * @throws IllegalArgumentException if {@code v} is out of range
         */
        public Parameters withMaxBatchedTokens(int v) {
            return new Parameters(memoryBandwidthEfficiency, computeEfficiency, latencyCrossingFactor,
                    stepOverheadMillis, reserveBytes, v, maxNumSeqs, defaultLinkBandwidthBytesPerSecond, tpotPerItl,
                    gpuEfficiencies);
        }

        /**
         * A copy with another sequence limit.
         *
         * @param v vLLM's max-num-seqs; positive
         * @return a copy with it
         * @throws IllegalArgumentException if {@code v} is out of range
         */
        public Parameters withMaxNumSeqs(int v) {
            return new Parameters(memoryBandwidthEfficiency, computeEfficiency, latencyCrossingFactor,
                    stepOverheadMillis, reserveBytes, maxBatchedTokens, v, defaultLinkBandwidthBytesPerSecond,
                    tpotPerItl, gpuEfficiencies);
        }

        /**
         * A copy with another default link bandwidth.
         *
         * @param v bandwidth of a link without a measurement, bytes/s; positive, finite
         * @return a copy with it
         * @throws IllegalArgumentException if {@code v} is out of range
         */
        public Parameters withDefaultLinkBandwidthBytesPerSecond(double v) {
            return new Parameters(memoryBandwidthEfficiency, computeEfficiency, latencyCrossingFactor,
                    stepOverheadMillis, reserveBytes, maxBatchedTokens, maxNumSeqs, v, tpotPerItl, gpuEfficiencies);
        }

        /**
         * A copy with another TPOT to ITL ratio.
         *
         * @param v mean TPOT ÷ mean ITL; positive, finite
         * @return a copy with it
         * @throws IllegalArgumentException if {@code v} is out of range
         */
        public Parameters withTpotPerItl(double v) {
            return new Parameters(memoryBandwidthEfficiency, computeEfficiency, latencyCrossingFactor,
                    stepOverheadMillis, reserveBytes, maxBatchedTokens, maxNumSeqs,
                    defaultLinkBandwidthBytesPerSecond, v, gpuEfficiencies);
        }

        /**
         * A copy with other per-GPU-kind efficiencies, replacing all of them.
         *
         * @param v efficiencies per GPU kind, keyed by {@link GpuSpec#name()}; not null, no null key or value
         * @return a copy with them
         * @throws NullPointerException if {@code v}, a key or a value is null
         */
        public Parameters withGpuEfficiencies(Map<String, GpuEfficiency> v) {
            return new Parameters(memoryBandwidthEfficiency, computeEfficiency, latencyCrossingFactor,
                    stepOverheadMillis, reserveBytes, maxBatchedTokens, maxNumSeqs,
                    defaultLinkBandwidthBytesPerSecond, tpotPerItl, v);
        }

        /**
         * @param gpuName    a {@link GpuSpec#name()}; not null
         * @param efficiency its efficiencies; not null
         * @return a copy in which that GPU kind runs at these efficiencies
         */
        public Parameters withGpuEfficiency(String gpuName, GpuEfficiency efficiency) {
            Map<String, GpuEfficiency> m = new TreeMap<>(gpuEfficiencies);
            m.put(Objects.requireNonNull(gpuName, "gpuName"), Objects.requireNonNull(efficiency, "efficiency"));
            return withGpuEfficiencies(m);
        }
    }

    /**
     * How close one GPU kind comes to its data sheet: the per-kind form of the two global efficiencies in
     * {@link Parameters}.
     *
     * @param memoryBandwidthEfficiency fraction of the data-sheet memory bandwidth a decode step achieves, in
     *                                  (0, 1]
     * @param computeEfficiency         fraction of the data-sheet dense FP16 FLOP/s prefill achieves, in (0, 1]
     */
    public record GpuEfficiency(double memoryBandwidthEfficiency, double computeEfficiency) {

        /**
         * Validates both fractions.
         *
         * @param memoryBandwidthEfficiency fraction of the data-sheet memory bandwidth achieved; in (0, 1]
         * @param computeEfficiency         fraction of the data-sheet dense FP16 FLOP/s achieved; in (0, 1]
         */
        public GpuEfficiency {
            Parameters.fraction(memoryBandwidthEfficiency, "memoryBandwidthEfficiency");
            Parameters.fraction(computeEfficiency, "computeEfficiency");
        }
    }
}
