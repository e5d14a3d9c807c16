package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.Objective.Goal;
import org.junit.jupiter.api.Test;

class ObjectiveTest {

    @Test
    void rejectsANegativeOrZeroBound() {
        assertThatThrownBy(() -> new Objective(Goal.ITL, -1.0, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("objective.maxTtftMillis must be a positive finite number, was -1.0");
        assertThatThrownBy(() -> Objective.minimizeTtft().withMaxItlMillis(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("objective.maxItlMillis must be a positive finite number, was 0.0");
        assertThatThrownBy(() -> Objective.balanced().withMinOutputTokensPerSecond(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("objective.minOutputTokensPerSecond");
        assertThatThrownBy(() -> new Objective(null, null, null, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("objective.goal must not be null");
    }

    @Test
    void admitsOnlyMetricsWithinEveryBound() {
        Objective o = Objective.maximizeThroughput().withMaxTtftMillis(5000).withMaxItlMillis(100)
                .withMinOutputTokensPerSecond(20);
        assertThat(o.goal()).isEqualTo(Goal.THROUGHPUT);
        PipelineMetrics ok = new PipelineMetrics(4000, 90, 95, 25, PipelineMetrics.Source.PREDICTED);
        assertThat(o.admits(ok)).isTrue();
        assertThat(o.admits(new PipelineMetrics(6000, 90, 95, 25, PipelineMetrics.Source.PREDICTED))).isFalse();
        assertThat(o.admits(new PipelineMetrics(4000, 120, 95, 25, PipelineMetrics.Source.MEASURED))).isFalse();
        assertThat(o.admits(new PipelineMetrics(4000, 90, 95, 10, PipelineMetrics.Source.MEASURED))).isFalse();
        assertThat(Objective.minimizeItl().admits(new PipelineMetrics(1e9, 1e9, 1e9, 0,
                PipelineMetrics.Source.MEASURED))).isTrue();
    }

    @Test
    void goalParsesTheCliSpellingAndListsValidOnes() {
        assertThat(Goal.parse(" Throughput ")).isEqualTo(Goal.THROUGHPUT);
        assertThat(Goal.BALANCED.cliName()).isEqualTo("balanced");
        assertThatThrownBy(() -> Goal.parse("fast"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown objective 'fast'; valid objectives: itl, ttft, throughput, balanced, goodput");
    }

    @Test
    void metricsAndWorkloadRejectNegativeValues() {
        assertThatThrownBy(() -> new PipelineMetrics(-1, 0, 0, 0, PipelineMetrics.Source.MEASURED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metrics.ttftMillis must be a finite number >= 0, was -1.0");
        assertThatThrownBy(() -> new Workload(512, 0, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workload.outputTokens must be positive, was 0");
    }
}
