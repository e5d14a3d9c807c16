package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.ModelSpec;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Precision;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The orchestrator plans for the model as vLLM serves it with the dtype and KV-cache dtype it was given. */
class OrchestratorPrecisionTest {

    private List<ModelSpec> planned(ModelSpec model, Precision precision) {
        LoopFixture f = new LoopFixture();
        List<ModelSpec> asked = new ArrayList<>();
        PlacementAgent recording = new PlacementAgent() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public PlacementDecision decide(PlacementRequest request) {
                asked.add(request.model());
                return f.agent.decide(request);
            }
        };
        PlacementOrchestratorBuilder b = f.orchestrator().model(model).agent(recording);
        if (precision != null) {
            b.precision(precision);
        }
        try (PlacementOrchestrator o = b.build()) {
            o.runOnce();
        }
        return asked;
    }

    @Test
    void everyDecisionSeesTheModelAsServedWithThePrecision() {
        ModelSpec fp32 = LoopFixture.MODEL.servedWith(4, 4);

        List<ModelSpec> half = planned(fp32, new Precision("half", "fp8"));
        assertThat(half).isNotEmpty().allSatisfy(m -> {
            assertThat(m.dtypeBytes()).isEqualTo(2);
            assertThat(m.kvCacheDtypeBytes()).isEqualTo(1);
        });
        assertThat(planned(fp32, null)).isNotEmpty().allSatisfy(m -> assertThat(m).isEqualTo(fp32));
    }
}
