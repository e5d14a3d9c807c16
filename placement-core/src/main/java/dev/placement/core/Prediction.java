package dev.placement.core;

import static dev.placement.core.PerformanceModel.gb;

import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.Slo;
import dev.placement.api.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the {@link PerformanceModel} predicts for one placement.
 *
 * @param placement              the placement judged
 * @param metrics                predicted metrics ({@link PipelineMetrics.Source#PREDICTED}); computed on a
 *                               best-effort basis when the placement does not fit, and meaningful only when
 *                               {@link #fits()}
 * @param fits                   whether every stage fits in memory with KV cache for one max-model-len sequence,
 *                               and every link it crosses (including the return hop) has a known RTT
 * @param infeasibleReason       why it does not fit, in plain words; {@code null} when it fits
 * @param maxConcurrentSequences how many sequences of the workload the smallest stage KV cache holds at once
 *                               (capped at vLLM's max-num-seqs); 0 when it does not fit
 * @param stages                 per-stage terms, rank 0 first
 * @param links                  per-link terms in pipeline order, the return hop last (empty for one stage)
 * @param spread                 how single requests' timings spread around the means (what decides goodput);
 *                               meaningful only when {@link #fits()}
 */
public record Prediction(
        Placement placement,
        PipelineMetrics metrics,
        boolean fits,
        String infeasibleReason,
        int maxConcurrentSequences,
        List<StageEstimate> stages,
        List<LinkEstimate> links,
        Spread spread) {

    /**
     * Validates the fields and copies the lists.
     *
     * @param placement              the placement judged; not null
     * @param metrics                predicted metrics, meaningful only when it fits; not null
     * @param fits                   whether every stage fits in memory and every link it crosses has a known RTT
     * @param infeasibleReason       why it does not fit; not blank when it does not fit, ignored (made
     *                               {@code null}) when it fits
     * @param maxConcurrentSequences how many sequences of the workload the smallest stage KV cache holds at once;
     *                               0 when it does not fit
     * @param stages                 per-stage terms, rank 0 first; not null
     * @param links                  per-link terms in pipeline order, the return hop last; not null
     * @param spread                 how single requests' timings spread around the means; not null
     */
    public Prediction {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(spread, "spread");
        if (!fits && (infeasibleReason == null || infeasibleReason.isBlank())) {
            throw new IllegalArgumentException("a prediction that does not fit needs a reason");
        }
        if (fits) {
            infeasibleReason = null;
        }
        stages = List.copyOf(stages);
        links = List.copyOf(links);
    }

    /**
     * Assembles the prediction of a placement from the model's terms for its request: the single place where
     * stage and link terms become a {@link Prediction}.
     */
    static Prediction of(Placement placement, PipelineCosts c) {
        List<Stage> stages = placement.stages();
        int k = stages.size();
        int[] node = new int[k];
        for (int r = 0; r < k; r++) {
            node[r] = c.indexOf(stages.get(r).nodeId());
        }
        if (placement.tensorParallelSize() != c.tensorParallelSize) {
            throw new IllegalArgumentException("placement " + placement.toSpec() + " runs each stage on "
                    + placement.tensorParallelSize() + " GPUs but the terms are for " + c.tensorParallelSize);
        }
        String reason = TensorParallel.modelRefuses(c.model, c.tensorParallelSize);
        if (reason != null) {
            reason = "tensor parallelism " + c.tensorParallelSize + " cannot split " + c.model.name() + ": " + reason;
        }
        for (int r = 0; r < k && reason == null; r++) {
            if (c.tensorParallelRefusals[node[r]] != null) {
                reason = "stage " + r + " cannot run on " + c.tensorParallelSize + " GPUs: "
                        + c.tensorParallelRefusals[node[r]];
            }
        }
        if (reason == null && c.sequenceTokens > c.request.maxModelLen()) {
            reason = "the workload's sequences of " + c.inputTokens + " + " + c.outputTokens + " = " + c.sequenceTokens
                    + " tokens are longer than max-model-len " + c.request.maxModelLen();
        }
        long minTokens = Long.MAX_VALUE;
        long[] tokens = new long[k];
        for (int r = 0; r < k; r++) {
            Stage s = stages.get(r);
            boolean first = r == 0;
            boolean last = r == k - 1;
            tokens[r] = c.kvCacheTokens(node[r], s.layerCount(), first, last);
            minTokens = Math.min(minTokens, tokens[r]);
            if (reason == null && tokens[r] < 0) {
                reason = "stage " + r + " on " + s.nodeId() + " needs " + gb(c.weightBytes(s.layerCount(), first, last))
                        + " of weights and " + gb(c.reserveBytes(last)) + " of reserve but may use "
                        + gb(c.budgetBytes[node[r]]) + " (" + String.format(Locale.ROOT, "%.2f",
                                c.request.cluster().gpuMemoryUtilization()) + " of " + c.nodes.get(node[r]).gpu().name()
                        + "'s " + gb(c.nodes.get(node[r]).gpu().memoryBytes()) + "); " + gb(-c.kvCacheBytes(node[r],
                                s.layerCount(), first, last)) + " short";
            } else if (reason == null && tokens[r] < c.request.maxModelLen()) {
                reason = "stage " + r + " on " + s.nodeId() + " has KV cache for " + tokens[r]
                        + " tokens, less than one sequence of max-model-len " + c.request.maxModelLen();
            }
        }
        List<LinkEstimate> links = new ArrayList<>();
        double sumOneWay = 0;
        double sumMsPerByteFwd = 0;
        double maxMsPerByteFwd = 0;
        double msPerByteReturn = 0;
        for (int r = 0; k > 1 && r < k; r++) {
            int from = node[r];
            int to = node[(r + 1) % k];
            boolean ret = r == k - 1;
            boolean known = c.linkKnown(from, to);
            if (!known && reason == null) {
                reason = "no RTT is known for the " + (ret ? "return hop " : "link ") + c.ids[from] + "→" + c.ids[to]
                        + "; an unmeasured link cannot be part of a pipeline";
            }
            double oneWay = known ? c.oneWayMillis[from][to] : 0;
            sumOneWay += oneWay;
            if (ret) {
                msPerByteReturn = c.millisPerByte[from][to];
            } else {
                sumMsPerByteFwd += c.millisPerByte[from][to];
                maxMsPerByteFwd = Math.max(maxMsPerByteFwd, c.millisPerByte[from][to]);
            }
            links.add(new LinkEstimate(c.ids[from], c.ids[to], ret, known,
                    c.request.connectivity().rttMillis(c.ids[from], c.ids[to]).orElse(Double.NaN),
                    1000.0 / c.millisPerByte[from][to], Double.NaN, Double.NaN));
        }
        boolean fits = reason == null;
        int maxConcurrent = fits ? (int) Math.min(c.p.maxNumSeqs(), minTokens / c.sequenceTokens) : 0;
        int b = fits ? Math.min(c.concurrency, maxConcurrent) : 1;
        int m = Math.min(k, b);
        double q = (double) b / m;

        double sumDecode = 0;
        double maxDecode = 0;
        double sumPrefill = 0;
        double maxPrefill = 0;
        List<StageEstimate> stageEstimates = new ArrayList<>(k);
        for (int r = 0; r < k; r++) {
            Stage s = stages.get(r);
            boolean first = r == 0;
            boolean last = r == k - 1;
            double dec = c.decodeMillis(node[r], s.layerCount(), last, q);
            double pre = c.prefillMillis(node[r], s.layerCount(), last);
            sumDecode += dec;
            maxDecode = Math.max(maxDecode, dec);
            sumPrefill += pre;
            maxPrefill = Math.max(maxPrefill, pre);
            double memoryOnly = c.decodeMemoryMillis(node[r], s.layerCount(), last, q);
            stageEstimates.add(new StageEstimate(s.nodeId(), r, s.firstLayer(), s.layerCount(), c.budgetBytes[node[r]],
                    c.weightBytes(s.layerCount(), first, last), c.reserveBytes(last),
                    c.kvCacheBytes(node[r], s.layerCount(), first, last), tokens[r], dec, pre, dec > memoryOnly));
        }
        double decodeBytes = q * c.activationBytesPerToken;
        double prefillBytes = c.inputTokens * c.activationBytesPerToken;
        List<LinkEstimate> withTimes = new ArrayList<>(links.size());
        for (LinkEstimate l : links) {
            int from = c.indexOf(l.fromNodeId());
            int to = c.indexOf(l.toNodeId());
            double lat = l.known() ? c.oneWayMillis[from][to] : Double.NaN;
            double dBytes = l.returnHop() ? q * PipelineCosts.RETURN_BYTES_PER_SEQUENCE : decodeBytes;
            double pBytes = l.returnHop() ? PipelineCosts.RETURN_BYTES_PER_SEQUENCE : prefillBytes;
            withTimes.add(new LinkEstimate(l.fromNodeId(), l.toNodeId(), l.returnHop(), l.known(), l.rttMillis(),
                    l.bandwidthBytesPerSecond(), lat + dBytes * c.millisPerByte[from][to],
                    lat + pBytes * c.millisPerByte[from][to]));
        }
        double[] out = new double[PipelineCosts.RESULTS];
        c.metrics(k, b, sumDecode, maxDecode, sumPrefill, maxPrefill, sumOneWay, sumMsPerByteFwd, maxMsPerByteFwd,
                msPerByteReturn, out);
        PipelineMetrics metrics = new PipelineMetrics(out[0], out[1], out[2], out[3], PipelineMetrics.Source.PREDICTED);
        return new Prediction(placement, metrics, fits, reason, maxConcurrent, stageEstimates, withTimes,
                Spread.of(out));
    }

    /** @return how many of the workload's requests run at once on this placement (its effective concurrency) */
    public int servedSequences() {
        return spread.sequences();
    }

    /**
     * How the predicted timings of single requests spread around the means, which is what decides how many meet
     * an SLO. The {@link PerformanceModel} sees requests in bursts of {@code b} (the effective concurrency): the
     * first request of a burst prefills alone, and each further one gets its first token one prefill bottleneck
     * later, because its prefill waits for those before it ({@code TTFT_i = first + i × step}, i = 0 … b − 1, each
     * position equally often; their mean is the model's mean TTFT). Each request's decode is stalled by the other
     * b − 1 prefills (the later ones of its own burst after its first token, the earlier ones of the next burst
     * before its last), so TPOT and ITL are the same at every position. {@code E2EL_i = TTFT_i + decode}.
     *
     * <p>Goodput is then the share of positions meeting every SLO bound times the request rate, as
     * {@code vllm bench serve --goodput} counts it (good requests per second of wall time).
     *
     * @param sequences         b, requests in a burst (the effective concurrency); positive
     * @param firstTtftMillis   TTFT of the first request of a burst (wait for a slot plus a lone prefill), ms
     * @param ttftStepMillis    how much later each further request of a burst gets its first token, ms; &ge; 0
     * @param itlMillis         every request's mean inter-token latency, ms
     * @param tpotMillis        every request's time per output token, ms
     * @param decodeMillis      every request's time from first to last token, ms
     * @param requestsPerSecond completed requests per second
     */
    public record Spread(int sequences, double firstTtftMillis, double ttftStepMillis, double itlMillis,
            double tpotMillis, double decodeMillis, double requestsPerSecond) {

        /**
         * Validates that the counts and times are non-negative numbers.
         *
         * @param sequences         b, requests in a burst; positive
         * @param firstTtftMillis   TTFT of the first request of a burst, ms; &ge; 0
         * @param ttftStepMillis    how much later each further request of a burst gets its first token, ms; &ge; 0
         * @param itlMillis         every request's mean inter-token latency, ms; &ge; 0
         * @param tpotMillis        every request's time per output token, ms; &ge; 0
         * @param decodeMillis      every request's time from first to last token, ms; &ge; 0
         * @param requestsPerSecond completed requests per second; &ge; 0
         */
        public Spread {
            if (sequences < 1) {
                throw new IllegalArgumentException("sequences must be positive, was " + sequences);
            }
            for (double v : new double[] {firstTtftMillis, ttftStepMillis, itlMillis, tpotMillis, decodeMillis,
                    requestsPerSecond}) {
                if (!(v >= 0)) {
                    throw new IllegalArgumentException("a request spread's times must be >= 0, was " + v);
                }
            }
        }

        /** The spread in the array {@link PipelineCosts#metrics} fills. */
        static Spread of(double[] m) {
            return new Spread((int) m[PipelineCosts.SEQUENCES], m[PipelineCosts.FIRST_TTFT],
                    m[PipelineCosts.TTFT_STEP], m[PipelineCosts.ITL], m[PipelineCosts.TPOT], m[PipelineCosts.DECODE],
                    m[PipelineCosts.REQUESTS_PER_SECOND]);
        }

        /**
         * @param position a request's place in its burst, from 0; less than {@link #sequences()}
         * @return its predicted TTFT in ms
         */
        public double ttftMillis(int position) {
            Objects.checkIndex(position, sequences);
            return firstTtftMillis + position * ttftStepMillis;
        }

        /**
         * @param position a request's place in its burst, from 0; less than {@link #sequences()}
         * @return its predicted end-to-end latency in ms
         */
        public double e2elMillis(int position) {
            return ttftMillis(position) + decodeMillis;
        }

        /**
         * @param slo the bounds; not null
         * @return the share of requests predicted to meet every bound, in [0, 1]
         */
        public double shareWithin(Slo slo) {
            return goodCount(slo, sequences, firstTtftMillis, ttftStepMillis, itlMillis, tpotMillis, decodeMillis)
                    / (double) sequences;
        }

        /**
         * @param slo the bounds; not null
         * @return the predicted goodput: requests per second that meet every bound
         */
        public double goodput(Slo slo) {
            return shareWithin(slo) * requestsPerSecond;
        }

        /** Goodput in requests/s from the array {@link PipelineCosts#metrics} fills: the scorer's path. */
        static double goodput(Slo slo, double[] m) {
            int b = (int) m[PipelineCosts.SEQUENCES];
            return goodCount(slo, b, m[PipelineCosts.FIRST_TTFT], m[PipelineCosts.TTFT_STEP], m[PipelineCosts.ITL],
                    m[PipelineCosts.TPOT], m[PipelineCosts.DECODE]) * m[PipelineCosts.REQUESTS_PER_SECOND] / b;
        }

        /**
         * How many of the b positions meet every bound: TTFT grows with the position, so they are the first ones,
         * up to the last whose TTFT and E2EL are within their bounds.
         */
        static int goodCount(Slo slo, int b, double first, double step, double itl, double tpot, double decode) {
            Objects.requireNonNull(slo, "slo");
            if (!slo.meets(first, itl, tpot, first + decode)) {
                return 0;
            }
            double limit = Double.POSITIVE_INFINITY;
            if (slo.ttftMillis() != null) {
                limit = slo.ttftMillis();
            }
            if (slo.e2elMillis() != null) {
                limit = Math.min(limit, slo.e2elMillis() - decode);
            }
            if (step <= 0 || limit == Double.POSITIVE_INFINITY) {
                return b;
            }
            double later = Math.floor((limit - first) / step);
            return (int) Math.min(b, 1 + later);
        }
    }
}
