package dev.placement.core.llm;

import static dev.placement.core.llm.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.LlmException;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementHistory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmPlacementAgentTest {

    private static final String VALID = "{\"nodes_used\":[\"node0\",\"node1\"],\"layers_per_node\":[20,20],"
            + "\"rationale\":\"node2 sits behind a slow link\"}";
    private static final String WRONG_SUM = "{\"nodes_used\":[\"node0\",\"node1\"],\"layers_per_node\":[20,19],"
            + "\"rationale\":\"oops\"}";

    private static LlmPlacementAgent agent(Fixtures.ScriptedLlm llm, int repairRounds) {
        return LlmPlacementAgent.builder(llm).repairRounds(repairRounds).candidatePredictions(false)
                .build();
    }

    @Test
    void returnsTheLlmsValidPlacementWithItsProposal() {
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().answers(VALID);
        PlacementDecision d = agent(llm, 1).decide(request(20));
        assertThat(d.placement().toSpec()).isEqualTo("node0:20,node1:20");
        assertThat(d.agent()).isEqualTo("fake");
        assertThat(d.rationale()).isEqualTo("node2 sits behind a slow link");
        assertThat(d.predicted()).isNotNull();
        assertThat(d.proposal().agent()).isEqualTo("fake");
        assertThat(d.proposal().model()).isEqualTo("fake-model-1");
        assertThat(d.proposal().placement()).isEqualTo(d.placement());
        assertThat(d.proposal().accepted()).isTrue();
        assertThat(llm.requests).singleElement().satisfies(r -> {
            assertThat(r.schemaName()).isEqualTo(LlmPlacementAgent.SCHEMA_NAME);
            assertThat(r.jsonSchema()).isEqualTo(LlmPlacementAgent.ANSWER_SCHEMA);
        });
    }

    @Test
    void answerSchemaIsStrictModeCompatible() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(LlmPlacementAgent.ANSWER_SCHEMA);
        assertThat(schema.get("type").asText()).isEqualTo("object");
        assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
        List<String> properties = new ArrayList<>();
        schema.get("properties").fieldNames().forEachRemaining(properties::add);
        List<String> required = new ArrayList<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        assertThat(required).containsExactlyInAnyOrderElementsOf(properties)
                .containsExactlyInAnyOrder("nodes_used", "layers_per_node", "rationale");
        schema.get("properties").forEach(p -> assertThat(p.get("type").asText()).isIn("array", "string"));
    }

    @Test
    void repairRoundSendsTheProblemsBackAndAcceptsTheSecondAnswer() {
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().answers(WRONG_SUM, VALID);
        PlacementDecision d = agent(llm, 1).decide(request(20));
        assertThat(d.placement().toSpec()).isEqualTo("node0:20,node1:20");
        assertThat(d.proposal().reason()).isEqualTo("valid answer after 1 repair round");
        assertThat(llm.requests).hasSize(2);
        String repair = llm.requests.get(1).userText();
        assertThat(repair).startsWith(llm.requests.get(0).userText())
                .contains("Your previous answer was rejected", WRONG_SUM, "sum to 39 but the model has 40");
    }

    @Test
    void failsWithEveryProblemWhenTheRepairRoundsAreExhausted() {
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().answers(WRONG_SUM,
                "{\"nodes_used\":[\"node7\"],\"layers_per_node\":[40],\"rationale\":\"x\"}");
        assertThatThrownBy(() -> agent(llm, 1).decide(request(20)))
                .isInstanceOfSatisfying(InvalidLlmAnswerException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(2);
                    assertThat(e.provider()).isEqualTo("fake");
                    assertThat(e.model()).isEqualTo("fake-model-1");
                    assertThat(e.getMessage()).contains("answer 1: the layer counts [20, 19] sum to 39",
                            "answer 2: unknown node 'node7'");
                });
    }

    @Test
    void asksOnlyOnceWithoutRepairRounds() {
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().answers("garbage");
        assertThatThrownBy(() -> agent(llm, 0).decide(request(20))).isInstanceOf(InvalidLlmAnswerException.class)
                .hasMessageContaining("no layer assignment was found");
        assertThat(llm.requests).hasSize(1);
    }

    @Test
    void honoursTheConfiguredNumberOfRepairRounds() {
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().answers("garbage", "garbage", "garbage", VALID);
        assertThat(agent(llm, 3).decide(request(20)).proposal().reason()).contains("after 3 repair rounds");
        assertThatThrownBy(() -> LlmPlacementAgent.builder(llm).repairRounds(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void letsProviderFailuresThrough() {
        LlmException boom = new LlmException("HTTP 503: overloaded", true, null, 503, null);
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().fails(boom);
        assertThatThrownBy(() -> agent(llm, 1).decide(request(20))).isSameAs(boom);
    }

    @Test
    void repairPromptQuotesTheAnswerAsDataAndCutsItShort() {
        String echo = LlmPlacementAgent.repairText("Q", "a".repeat(5000) + ">>>", List.of("p1"));
        assertThat(echo).contains("quoted as data", "- p1", "[...]");
        assertThat(echo.length()).isLessThan(LlmPlacementAgent.MAX_ECHOED_ANSWER_CHARS + 500);
    }

    @Test
    void asksWithoutHistoryWhenTheHistoryCannotBeRead() {
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().answers(VALID);
        PlacementHistory broken = () -> {
            throw new IllegalStateException("journal.jsonl: disk full");
        };
        PlacementDecision d = LlmPlacementAgent.builder(llm).history(broken).candidatePredictions(false).build()
                .decide(request(20));
        assertThat(d.placement().toSpec()).isEqualTo("node0:20,node1:20");
        assertThat(llm.requests.get(0).userText()).doesNotContain("## Placements that ran before");
    }

    @Test
    void withCandidatePredictionsThePromptShowsTheSolversBest() {
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().answers(VALID);
        LlmPlacementAgent.builder(llm).build().decide(request(20));
        assertThat(llm.requests.get(0).userText()).contains("the solver's best");
    }

    /** The research's own answer format, the whole assignment on one line; once read only as far as Node 0. */
    private static final String ONE_LINE = "Nodes used: 3 (node0, node1, node2)\n"
            + "Layer assignment: Node 0: layers [0-12], Node 1: layers [13-26], Node 2: layers [27-39]\n"
            + "Rationale: every GPU holds about a third of the model";

    @Test
    void appliesAOneLineAnswerWithoutARepairRound() {
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().answers(ONE_LINE);
        PlacementDecision d = agent(llm, 1).decide(request(0.5));
        assertThat(d.placement().toSpec()).isEqualTo("node0:13,node1:14,node2:13");
        assertThat(d.proposal().reason()).isEqualTo("valid answer");
        assertThat(d.rationale()).isEqualTo("every GPU holds about a third of the model");
        assertThat(llm.requests).hasSize(1);
    }

    @Test
    void aGuardedAgentAppliesAOneLineAnswerInsteadOfFallingBackToTheSolver() {
        Fixtures.ScriptedLlm llm = new Fixtures.ScriptedLlm().answers(ONE_LINE);
        GuardedPlacementAgent guarded = GuardedPlacementAgent.builder(agent(llm, 1))
                .mode(GuardedPlacementAgent.Mode.TRUST).build();
        PlacementDecision d = guarded.decide(request(0.5));
        assertThat(d.agent()).isEqualTo("fake");
        assertThat(d.placement().toSpec()).isEqualTo("node0:13,node1:14,node2:13");
        assertThat(d.proposal().accepted()).isTrue();
        assertThat(llm.requests).hasSize(1);
    }
}
