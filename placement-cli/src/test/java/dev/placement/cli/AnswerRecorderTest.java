package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.LlmClient;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import org.junit.jupiter.api.Test;

/** The raw answers evaluate keeps, per scenario. */
class AnswerRecorderTest {
    private static final LlmRequest QUESTION = new LlmRequest("Place layers.", "Three T4s.", "layer_placement", null);

    /** A client whose answer arrives after the evaluation has moved on to scenario "b". */
    private static LlmClient lateClient(AnswerRecorder recorder) {
        return new LlmClient() {
            @Override
            public String provider() {
                return "openai";
            }

            @Override
            public String model() {
                return "local-planner";
            }

            @Override
            public LlmResponse complete(LlmRequest request) {
                recorder.begin("b");
                return new LlmResponse("node0:20,node1:20", "local-planner", 10, 5);
            }
        };
    }

    @Test
    void anAnswerCountsForTheScenarioItsQuestionWasAskedFor() {
        AnswerRecorder recorder = new AnswerRecorder();
        LlmClient client = recorder.wrap(lateClient(recorder));
        recorder.begin("a");
        assertThat(client.complete(QUESTION).text()).isEqualTo("node0:20,node1:20");
        assertThat(recorder.answers("a")).containsExactly("node0:20,node1:20");
        assertThat(recorder.answers("b")).isEmpty();
        assertThat(client.provider()).isEqualTo("openai");
        assertThat(client.model()).isEqualTo("local-planner");
    }
}
