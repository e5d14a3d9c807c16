package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {

    @Test
    void infiniteRateSendsEveryRequestAtOnce() {
        assertThat(ArrivalSchedule.offsetsNanos(5, Double.POSITIVE_INFINITY, 0)).containsOnly(0L);
    }

    @Test
    void sameSeedSameArrivalsOtherSeedOtherArrivals() {
        long[] a = ArrivalSchedule.offsetsNanos(100, 10, 42);
        assertThat(ArrivalSchedule.offsetsNanos(100, 10, 42)).isEqualTo(a);
        assertThat(ArrivalSchedule.offsetsNanos(100, 10, 43)).isNotEqualTo(a);
    }

    @Test
    void gapsLookExponentialWithTheRequestedMeanRate() {
        int n = 4000;
        double rate = 50;
        long[] offsets = ArrivalSchedule.offsetsNanos(n, rate, 7);

        // vLLM scales the arrivals so that the last one is at exactly n / rate.
        assertThat(offsets[n - 1]).isCloseTo((long) (n / rate * 1e9), within(2L));
        double[] gaps = new double[n];
        long previous = 0;
        for (int i = 0; i < n; i++) {
            assertThat(offsets[i]).isGreaterThanOrEqualTo(previous);
            gaps[i] = (offsets[i] - previous) / 1e9;
            previous = offsets[i];
        }
        double mean = 0;
        for (double g : gaps) {
            mean += g / n;
        }
        double variance = 0;
        int belowMean = 0;
        for (double g : gaps) {
            variance += (g - mean) * (g - mean) / n;
            belowMean += g < mean ? 1 : 0;
        }
        assertThat(mean).isCloseTo(1 / rate, within(1e-9));
        // An exponential distribution has a coefficient of variation of 1 and P(gap < mean) = 1 - 1/e = 0.632;
        // with 4000 samples both are within a few percent (evenly spaced arrivals would give 0 and ~0).
        assertThat(Math.sqrt(variance) / mean).isCloseTo(1.0, within(0.06));
        assertThat(belowMean / (double) n).isCloseTo(1 - Math.exp(-1), within(0.03));
    }
}
