package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void parsesLabelsWithEscapesSpecialValuesAndTimestamps() {
        PrometheusText m = PrometheusText.parse("""
                # HELP vllm:num_requests_running Number of requests in model execution batches.
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{engine="0",model_name="falcon"} 3.0
                vllm:cache_config_info{block_size="16",note="say \\"hi\\", ok",gpu_memory_utilization="0.9"} 1.0
                weird_metric NaN 1764244800000
                up_inf{le="+Inf"} +Inf
                """);

        assertThat(m.samples()).hasSize(4);
        assertThat(m.sum("vllm:num_requests_running")).isEqualTo(3.0);
        assertThat(m.samples().get(1).labels()).containsEntry("note", "say \"hi\", ok")
                .containsEntry("gpu_memory_utilization", "0.9");
        assertThat(m.samples().get(2).value()).isNaN();
        assertThat(m.samples().get(3).value()).isInfinite();
    }

    @Test
    void sumsSeriesAcrossLabelSets() {
        PrometheusText m = PrometheusText.parse("""
                vllm:generation_tokens_total{engine="0",model_name="m"} 100.0
                vllm:generation_tokens_total{engine="1",model_name="m"} 50.0
                """);
        assertThat(m.sum("vllm:generation_tokens_total")).isEqualTo(150.0);
        assertThat(m.sum("absent")).isZero();
        assertThat(m.has("absent")).isFalse();
    }

    @Test
    void malformedLineIsReportedWithItsNumber() {
        assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbroken{le=\"0.1\" 2\n"))
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> PrometheusText.parse("x notanumber\n")).hasMessageContaining("notanumber");
    }

    @Test
    void histogramQuantilesInterpolateWithinTheBucketLikeHistogramQuantile() {
        PrometheusText m = PrometheusText.parse("""
                h_bucket{le="0.1"} 0
                h_bucket{le="0.25"} 6
                h_bucket{le="0.5"} 8
                h_bucket{le="1.0"} 9
                h_bucket{le="+Inf"} 10
                h_sum 3.6
                h_count 10
                """);
        PrometheusText.Histogram h = m.histogram("h");

        assertThat(h.mean()).isCloseTo(0.36, within(1e-12));
        // rank 5 of 10 falls in (0.1, 0.25] holding 6: 0.1 + 0.15 * 5/6
        assertThat(h.quantile(0.5)).isCloseTo(0.225, within(1e-12));
        // rank 7 falls in (0.25, 0.5] holding 2 with 6 below: 0.25 + 0.25 * 1/2
        assertThat(h.quantile(0.7)).isCloseTo(0.375, within(1e-12));
        // rank 9.9 falls in the +Inf bucket: the highest finite bound
        assertThat(h.quantile(0.99)).isEqualTo(1.0);
    }

    @Test
    void histogramDeltaSubtractsBucketByBucket() {
        PrometheusText before = PrometheusText.parse("""
                h_bucket{le="0.1",engine="0"} 2
                h_bucket{le="0.25",engine="0"} 4
                h_bucket{le="+Inf",engine="0"} 5
                h_sum{engine="0"} 1.0
                h_count{engine="0"} 5
                """);
        PrometheusText after = PrometheusText.parse("""
                h_bucket{le="0.1",engine="0"} 2
                h_bucket{le="0.25",engine="0"} 10
                h_bucket{le="+Inf",engine="0"} 15
                h_sum{engine="0"} 4.6
                h_count{engine="0"} 15
                """);
        PrometheusText.Histogram d = after.histogram("h").minus(before.histogram("h"));

        assertThat(d.cumulative()).containsExactly(0, 6, 10);
        assertThat(d.count()).isEqualTo(10);
        assertThat(d.sum()).isCloseTo(3.6, within(1e-12));
        assertThat(PrometheusText.Histogram.EMPTY.quantile(0.5)).isNaN();
    }
}
