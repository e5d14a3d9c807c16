package dev.placement.core;

import dev.placement.api.Objective;

/**
 * A lower bound on the score of any split whose stage aggregates are at least the given ones, for every
 * effective concurrency in an interval: what lets the exact search drop a candidate, or a branch of the split
 * search, without scoring it. It mirrors {@link PipelineCosts#metrics} with q = 1 (the smallest micro-batch)
 * and each metric taken at its most favourable end of the interval, so it never exceeds a real score. Not
 * thread-safe (a scratch array); one per solve.
 */
final class ScoreBound {
    private final PipelineCosts c;
    private final Objective objective;
    private final double[] scratch = new double[PipelineCosts.RESULTS];

    ScoreBound(PipelineCosts c, Objective objective) {
        this.c = c;
        this.objective = objective;
    }

    /**
     * The bound for k stages at every effective concurrency in [b1, b2].
     *
     * @param sumDec lower bound on Σ stage decode time; {@code maxDec} on the largest, and likewise for prefill
     * @param links  the link vector {Σ crossing latency, Σ and max forward ms/byte, return ms/byte}
     */
    double of(int k, double sumDec, double maxDec, double sumPre, double maxPre, double[] links, int b1, int b2) {
        int m1 = Math.min(k, b1);
        double a = c.activationBytesPerToken;
        double prefillBytes = c.inputTokens * a;
        double overhead = c.p.stepOverheadMillis();
        double ring = sumDec + links[0] + a * links[1] + PipelineCosts.RETURN_BYTES_PER_SEQUENCE * links[3] + overhead;
        double cycle = Math.max(ring, m1 * Math.max(maxDec, a * links[2]));
        double prefillAlone = sumPre + links[0] + prefillBytes * links[1]
                + PipelineCosts.RETURN_BYTES_PER_SEQUENCE * links[3] + overhead;
        double beta = Math.max(maxPre, prefillBytes * links[2]);
        double itl = cycle + (b1 - 1) * beta / Math.max(1, c.outputTokens - 1);
        double burst = prefillAlone + beta * (b1 - 1) / 2.0;
        double service = burst + (c.outputTokens - 1) * itl;
        double wait = service * (c.concurrency - b2) / b2;
        double[] m = scratch;
        m[PipelineCosts.TTFT] = burst + wait;
        m[PipelineCosts.ITL] = itl;
        m[PipelineCosts.TPOT] = itl * c.p.tpotPerItl();
        m[PipelineCosts.THROUGHPUT] = b2 * (double) c.outputTokens / (service / 1000.0);
        // Goodput at its most favourable: the first request's TTFT and the step at their least, b2 positions.
        m[PipelineCosts.FIRST_TTFT] = prefillAlone + wait;
        m[PipelineCosts.TTFT_STEP] = beta;
        m[PipelineCosts.SEQUENCES] = b2;
        m[PipelineCosts.DECODE] = (c.outputTokens - 1) * m[PipelineCosts.TPOT];
        m[PipelineCosts.REQUESTS_PER_SECOND] = b2 / (service / 1000.0);
        return ObjectiveScore.score(objective, m);
    }
}
