package dev.placement.vllm.bench;

import java.util.Random;

/**
 * When each request of an open-loop run is sent, as {@code vllm bench serve} schedules them: with an infinite
 * rate all at once; otherwise after exponentially distributed gaps (a Poisson process) drawn from a seeded
 * {@link Random}, the first request also waiting one gap, and all offsets then scaled so that the last request
 * is sent at exactly {@code n / rate} seconds (vLLM does this so that runs with different seeds have the same
 * mean rate). Stateless.
 */
final class ArrivalSchedule {

    private ArrivalSchedule() {
    }

    /**
     * @param requests          how many requests; &ge; 1
     * @param ratePerSecond     requests per second; {@code Double.POSITIVE_INFINITY} for all at once
     * @param seed              the seed of the gaps
     * @return for each request, its send time in ns after the run starts, non-decreasing
     */
    static long[] offsetsNanos(int requests, double ratePerSecond, long seed) {
        long[] offsets = new long[requests];
        if (Double.isInfinite(ratePerSecond)) {
            return offsets;
        }
        Random random = new Random(seed);
        double[] cumulativeSeconds = new double[requests];
        double total = 0;
        for (int i = 0; i < requests; i++) {
            // Inverse transform of a uniform in (0, 1]: an exponential gap with mean 1 / rate.
            total += -Math.log(1.0 - random.nextDouble()) / ratePerSecond;
            cumulativeSeconds[i] = total;
        }
        double scale = total > 0 ? (requests / ratePerSecond) / total : 1;
        for (int i = 0; i < requests; i++) {
            offsets[i] = Math.round(cumulativeSeconds[i] * scale * 1e9);
        }
        return offsets;
    }
}
