package dev.placement.core;

import dev.placement.api.Slo;
import java.util.Objects;

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
public record RequestSpread(int sequences, double firstTtftMillis, double ttftStepMillis, double itlMillis,
        double tpotMillis, double decodeMillis, double requestsPerSecond) {

    /** Validates that the counts and times are non-negative numbers. */
    public RequestSpread {
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
    static RequestSpread of(double[] m) {
        return new RequestSpread((int) m[PipelineCosts.SEQUENCES], m[PipelineCosts.FIRST_TTFT],
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
