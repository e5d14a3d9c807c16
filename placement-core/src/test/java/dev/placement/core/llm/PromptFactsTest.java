package dev.placement.core.llm;

import static dev.placement.core.llm.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptFactsTest {
    private static final PerformanceModel MODEL = PerformanceModel.defaults();

    @Test
    void layerBudgetsAgreeWithThePerformanceModelAtTheLimit() {
        PlacementRequest r = request(10);
        PromptContext.LayerBudget budget = PromptFacts.budget(r.cluster().node("node0"), r, MODEL.parameters());
        int layers = r.model().layers();
        // As rank 0: the budget fits, one more layer does not (node1, the last rank, holds the rest easily).
        assertThat(predict("node0:" + budget.asFirst() + ",node1:" + (layers - budget.asFirst()), r).fits()).isTrue();
        Prediction over = predict("node0:" + (budget.asFirst() + 1) + ",node1:" + (layers - budget.asFirst() - 1), r);
        assertThat(over.fits()).isFalse();
        assertThat(over.infeasibleReason()).contains("node0");
        // As the last rank.
        assertThat(predict("node1:" + (layers - budget.asLast()) + ",node0:" + budget.asLast(), r).fits()).isTrue();
        assertThat(predict("node1:" + (layers - budget.asLast() - 1) + ",node0:" + (budget.asLast() + 1), r).fits())
                .isFalse();
        // As a middle stage.
        int rest = layers - budget.asMiddle();
        assertThat(predict("node1:" + (rest / 2) + ",node0:" + budget.asMiddle() + ",node2:" + (rest - rest / 2), r)
                .fits()).isTrue();
        assertThat(predict("node1:" + ((rest - 1) / 2) + ",node0:" + (budget.asMiddle() + 1) + ",node2:"
                + (rest - 1 - (rest - 1) / 2), r).fits()).isFalse();
    }

    @Test
    void linkCostsFollowThePerformanceModelsCrossingTerms() {
        PlacementRequest r = request(10);
        Map<String, Map<String, Double>> costs = PromptFacts.crossings(r, MODEL.parameters());
        Prediction p = predict("node0:20,node2:20", r);
        // The model's decode crossing carries one activation vector per sequence of the micro-batch; compare the
        // latency part, which is what dominates at the edge.
        double latencyPart = MODEL.parameters().latencyCrossingFactor() * 10 / 2;
        assertThat(costs.get("node0").get("node2")).isGreaterThanOrEqualTo(latencyPart)
                .isLessThanOrEqualTo(p.links().get(0).decodeCrossingMillis() + 1e-9);
        assertThat(costs.get("node0")).doesNotContainKey("node0");
    }

    private static Prediction predict(String spec, PlacementRequest r) {
        return MODEL.predict(Placement.parse(spec), r);
    }
}
