package dev.placement.vllm.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Summary statistics of one latency metric (TTFT, TPOT, ITL or E2EL) in milliseconds, computed as
 * {@code vllm bench serve} computes them with numpy: {@code np.mean}, {@code np.median}, {@code np.std}
 * (population, ddof 0) and {@code np.percentile} (linear interpolation between closest ranks). With no
 * samples every value is 0, as numpy gives for vLLM's {@code values or 0}.
 *
 * @param count             the number of samples
 * @param meanMillis        the mean in ms
 * @param medianMillis      the median in ms
 * @param stdMillis         the population standard deviation in ms
 * @param percentilesMillis the requested percentiles (keys in [0, 100]) to their values in ms; copied,
 *                          iterated in ascending order of the percentile
 */
public record LatencyStats(int count, double meanMillis, double medianMillis, double stdMillis,
        SortedMap<Double, Double> percentilesMillis) {

    /**
     * Validates and copies.
     *
     * @param count             the number of samples; &ge; 0
     * @param meanMillis        the mean in ms
     * @param medianMillis      the median in ms
     * @param stdMillis         the population standard deviation in ms
     * @param percentilesMillis the requested percentiles to their values in ms; not null
     */
    public LatencyStats {
        if (count < 0) {
            throw new IllegalArgumentException("stats.count must not be negative, was " + count);
        }
        Objects.requireNonNull(percentilesMillis, "stats.percentilesMillis must not be null");
        percentilesMillis = Collections.unmodifiableSortedMap(new TreeMap<>(percentilesMillis));
    }

    /**
     * Computes the statistics of some samples.
     *
     * @param valuesMillis the samples in ms; not modified; may be empty
     * @param percentiles  the percentiles wanted, each in [0, 100]
     * @return the statistics
     * @throws IllegalArgumentException if a percentile is outside [0, 100]
     */
    public static LatencyStats of(double[] valuesMillis, Collection<Double> percentiles) {
        double[] sorted = valuesMillis.clone();
        Arrays.sort(sorted);
        SortedMap<Double, Double> byPercentile = new TreeMap<>();
        for (double p : percentiles) {
            checkPercentile(p);
            byPercentile.put(p, percentile(sorted, p));
        }
        if (sorted.length == 0) {
            return new LatencyStats(0, 0, 0, 0, byPercentile);
        }
        double mean = mean(sorted);
        double sumSquares = 0;
        for (double v : sorted) {
            sumSquares += (v - mean) * (v - mean);
        }
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new LatencyStats(n, mean, median, Math.sqrt(sumSquares / n), byPercentile);
    }

    /**
     * The value at a percentile that was requested when these statistics were computed.
     *
     * @param percentile a percentile in [0, 100], for example 99
     * @return its value in ms
     * @throws IllegalArgumentException if that percentile was not computed
     */
    public double percentileMillis(double percentile) {
        Double v = percentilesMillis.get(percentile);
        if (v == null) {
            throw new IllegalArgumentException("percentile " + percentile + " was not computed; computed: "
                    + percentilesMillis.keySet());
        }
        return v;
    }

    static void checkPercentile(double p) {
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be between 0 and 100, was " + p);
        }
    }

    /**
     * numpy's default ("linear") percentile of sorted samples: the value at rank {@code p/100 · (n − 1)},
     * interpolated between its neighbours the way numpy's {@code _lerp} does (from the upper neighbour when
     * the fraction is at least one half), so results agree with numpy to the last bit in the usual cases.
     */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        double rank = p / 100 * (sorted.length - 1);
        int lower = (int) Math.floor(rank);
        if (lower >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        double t = rank - lower;
        double a = sorted[lower];
        double b = sorted[lower + 1];
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** vLLM's spelling of a percentile in JSON keys and reports: {@code p99}, {@code p99.9}. */
    static String percentileKey(double p) {
        return p == Math.rint(p) ? "p" + (long) p : "p" + p;
    }
}
