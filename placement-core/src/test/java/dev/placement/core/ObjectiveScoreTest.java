package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import org.junit.jupiter.api.Test;

class ObjectiveScoreTest {
    private static PipelineMetrics m(double ttft, double itl, double tps) {
        return new PipelineMetrics(ttft, itl, itl, tps, PipelineMetrics.Source.PREDICTED);
    }

    @Test
    void scoresEachGoalSoThatLowerIsBetter() {
        PipelineMetrics a = m(900, 90, 80);
        assertThat(ObjectiveScore.score(Objective.minimizeItl(), a)).isEqualTo(90);
        assertThat(ObjectiveScore.score(Objective.minimizeTtft(), a)).isEqualTo(900);
        assertThat(ObjectiveScore.score(Objective.maximizeThroughput(), a))
                .isLessThan(ObjectiveScore.score(Objective.maximizeThroughput(), m(900, 90, 70)));
    }

    @Test
    void balancedIsTheGeometricMeanSoEqualRelativeGainsWeighTheSame() {
        PipelineMetrics a = m(1000, 100, 50);
        assertThat(ObjectiveScore.score(Objective.balanced(), a)).isCloseTo(Math.cbrt(1000 * 100 * 20.0), within(1e-9));
        double tenPercentBetterTtft = ObjectiveScore.score(Objective.balanced(), m(900, 100, 50));
        double tenPercentBetterItl = ObjectiveScore.score(Objective.balanced(), m(1000, 90, 50));
        double tenPercentFewerMsPerToken = ObjectiveScore.score(Objective.balanced(), m(1000, 100, 50 / 0.9));
        assertThat(tenPercentBetterTtft).isCloseTo(tenPercentBetterItl, within(1e-9));
        assertThat(tenPercentBetterItl).isCloseTo(tenPercentFewerMsPerToken, within(1e-9));
    }

    @Test
    void aBrokenBoundMakesThePlacementIneligible() {
        PipelineMetrics a = m(900, 90, 80);
        assertThat(ObjectiveScore.score(Objective.minimizeItl().withMaxTtftMillis(800), a)).isInfinite();
        assertThat(ObjectiveScore.score(Objective.minimizeTtft().withMaxItlMillis(80), a)).isInfinite();
        assertThat(ObjectiveScore.score(Objective.minimizeItl().withMinOutputTokensPerSecond(100), a)).isInfinite();
        assertThat(ObjectiveScore.score(Objective.minimizeItl().withMaxItlMillis(90), a)).isEqualTo(90);
    }
}
