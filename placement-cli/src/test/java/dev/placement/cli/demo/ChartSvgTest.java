package dev.placement.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.PipelineMetrics;
import dev.placement.cli.demo.ChartLine.Marker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ChartSvgTest {
    private static final List<String> LABELS = List.of("[0,0]", "[2,2]", "[2,4]");

    private static PipelineMetrics itl(double ms) {
        return new PipelineMetrics(1000, ms, ms * 1.25, 60, PipelineMetrics.Source.PREDICTED);
    }

    private static ChartLine line(String name, Double... itl) {
        List<PipelineMetrics> values = new ArrayList<>();
        Arrays.stream(itl).forEach(v -> values.add(v == null ? null : itl(v)));
        return new ChartLine(name, "test line " + name, "#000", "", Marker.CIRCLE, false, 2, values);
    }

    @Test
    void linesWithTheSameFiguresAreNamedInTheCaptionAndDrawnApartSoThatBothStayVisible() {
        ChartLine a = line("A", 110.0, 130.0, 150.0);
        ChartLine b = line("B", 110.0, 130.0, 150.0);
        ChartLine c = line("C", 110.0, 125.0, 125.0);

        String figure = ChartSvg.render(DemoFormat.Metric.ITL, List.of(a, b, c), LABELS, "step");

        assertThat(figure).contains("Identical ITL at every step: <i>B</i> = <i>A</i>.").doesNotContain("<i>C</i>");
        double[] ax = markerXs(figure, "A");
        double[] bx = markerXs(figure, "B");
        double[] cx = markerXs(figure, "C");
        for (int i = 0; i < LABELS.size(); i++) {
            assertThat(bx[i] - ax[i]).as("B beside A at step %d", i + 1).isEqualTo(5.0);
        }
        // C meets A at the first step only: it hides nothing and is drawn where its steps are.
        assertThat(cx).isEqualTo(ax);
        assertThat(a.identicalTo(b)).isTrue();
        assertThat(a.identicalTo(c)).isFalse();
    }

    @Test
    void aGapIsNoFigureAndTwoLinesWithoutFiguresAreNotIdentical() {
        ChartLine gap = line("G", 110.0, null, 150.0);
        ChartLine full = line("F", 110.0, 130.0, 150.0);
        ChartLine none1 = line("N1", null, null, null);
        ChartLine none2 = line("N2", null, null, null);

        assertThat(gap.identicalTo(full, DemoFormat.Metric.ITL)).isFalse();
        assertThat(none1.identicalTo(none2, DemoFormat.Metric.ITL)).isFalse();
        String figure = ChartSvg.render(DemoFormat.Metric.ITL, List.of(full, gap), LABELS, "step");
        assertThat(markerXs(figure, "G")).hasSize(2);
        assertThat(figure).contains(">ITL (ms)</text>", ">step</text>");
    }

    /** @return the x of each marker of a line, in step order */
    private static double[] markerXs(String svg, String name) {
        Matcher m = Pattern.compile("<circle cx=\"([0-9.]+)\"[^>]*><title>" + name + ": ").matcher(svg);
        List<Double> xs = new ArrayList<>();
        while (m.find()) {
            xs.add(Double.parseDouble(m.group(1)));
        }
        return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
