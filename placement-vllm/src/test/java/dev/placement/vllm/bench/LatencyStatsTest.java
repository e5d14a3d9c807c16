package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    @Test
    void matchesNumpyOnFourSamples() {
        // numpy: mean 2.5, median 2.5, std (ddof 0) sqrt(1.25); percentile rank p/100*(n-1):
        // p50 -> 1.5 -> 2.5; p90 -> 2.7 -> 3.7; p99 -> 2.97 -> 3.97.
        LatencyStats s = LatencyStats.of(new double[] {4, 1, 3, 2}, List.of(50.0, 90.0, 99.0));

        assertThat(s.count()).isEqualTo(4);
        assertThat(s.meanMillis()).isEqualTo(2.5);
        assertThat(s.medianMillis()).isEqualTo(2.5);
        assertThat(s.stdMillis()).isCloseTo(Math.sqrt(1.25), within(1e-12));
        assertThat(s.percentileMillis(50)).isCloseTo(2.5, within(1e-12));
        assertThat(s.percentileMillis(90)).isCloseTo(3.7, within(1e-12));
        assertThat(s.percentileMillis(99)).isCloseTo(3.97, within(1e-12));
    }

    @Test
    void interpolatesBetweenUnevenNeighbours() {
        // [10, 20, 50]: p99 -> rank 1.98 -> 20 + 0.98 * 30 = 49.4; p25 -> rank 0.5 -> 15; p0 and p100 are the ends.
        LatencyStats s = LatencyStats.of(new double[] {50, 10, 20}, List.of(0.0, 25.0, 99.0, 100.0));

        assertThat(s.medianMillis()).isEqualTo(20);
        assertThat(s.meanMillis()).isCloseTo(80.0 / 3, within(1e-12));
        assertThat(s.stdMillis()).isCloseTo(Math.sqrt((Math.pow(10 - 80.0 / 3, 2) + Math.pow(20 - 80.0 / 3, 2)
                + Math.pow(50 - 80.0 / 3, 2)) / 3), within(1e-12));
        assertThat(s.percentileMillis(0)).isEqualTo(10);
        assertThat(s.percentileMillis(25)).isCloseTo(15, within(1e-12));
        assertThat(s.percentileMillis(99)).isCloseTo(49.4, within(1e-12));
        assertThat(s.percentileMillis(100)).isEqualTo(50);
    }

    @Test
    void noSamplesGiveZerosAsVllmDoes() {
        LatencyStats s = LatencyStats.of(new double[0], List.of(99.0));

        assertThat(s.count()).isZero();
        assertThat(s.meanMillis()).isZero();
        assertThat(s.medianMillis()).isZero();
        assertThat(s.stdMillis()).isZero();
        assertThat(s.percentileMillis(99)).isZero();
    }

    @Test
    void oneSampleIsEveryStatistic() {
        LatencyStats s = LatencyStats.of(new double[] {7.5}, List.of(1.0, 99.9));

        assertThat(s.meanMillis()).isEqualTo(7.5);
        assertThat(s.medianMillis()).isEqualTo(7.5);
        assertThat(s.stdMillis()).isZero();
        assertThat(s.percentileMillis(99.9)).isEqualTo(7.5);
    }

    @Test
    void spellsPercentileKeysAsVllm() {
        assertThat(LatencyStats.percentileKey(99)).isEqualTo("p99");
        assertThat(LatencyStats.percentileKey(99.9)).isEqualTo("p99.9");
        assertThat(LatencyStats.percentileKey(50)).isEqualTo("p50");
    }

    @Test
    void rejectsPercentilesOutsideZeroToHundredAndUncomputedLookups() {
        assertThatThrownBy(() -> LatencyStats.of(new double[] {1}, List.of(101.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("101");
        LatencyStats s = LatencyStats.of(new double[] {1}, List.of(99.0));
        assertThatThrownBy(() -> s.percentileMillis(90)).hasMessageContaining("90").hasMessageContaining("99");
    }
}
