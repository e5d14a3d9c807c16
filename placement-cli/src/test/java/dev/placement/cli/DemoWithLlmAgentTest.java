package dev.placement.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.placement.core.orchestrator.DecisionJournal;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code placement demo --agent openai} shows the LLM the demo's journal as few-shot history. */
class DemoWithLlmAgentTest {
    private static final String PATH = "/v1/chat/completions";
    private static final String HISTORY_HEADING = "Placements that ran before, with measured metrics";

    private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @BeforeEach
    void start() {
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void theLlmAgentIsShownThePlacementsTheDemoJournaledSoFar(@TempDir Path dir) {
        // An answer the agent rejects, so the solver runs the demo and the journal fills as without an LLM.
        server.stubFor(post(urlEqualTo(PATH)).willReturn(okJson(LlmAgentOptionsTest.completion("no idea"))));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = CapturingCli.writingTo(out, err);
        ((DemoCommand) cl.getSubcommands().get("demo").getCommand()).llm.environment = Map.of();

        int exit = cl.execute("demo", "--out", dir.toString(), "--agent", "openai", "--llm-model", "local-planner",
                "--llm-base-url", "http://127.0.0.1:" + server.port() + "/v1", "--llm-repair-rounds", "0");

        assertThat(exit).as(err.toString()).isZero();
        List<LoggedRequest> asked = server.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(asked).hasSizeGreaterThan(1);
        // Nothing had run when the agent was first asked; by the last time the journal held measured runs.
        assertThat(asked.get(0).getBodyAsString()).doesNotContain(HISTORY_HEADING);
        assertThat(asked.get(asked.size() - 1).getBodyAsString()).contains(HISTORY_HEADING, ": measured ");
    }

    @Test
    void besideOtherAgentsTheLlmAgentRunsOnItsOwnClusterAndIsShownOnlyItsOwnJournal(@TempDir Path dir)
            throws IOException {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(okJson(LlmAgentOptionsTest.completion("no idea"))));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = CapturingCli.writingTo(out, err);
        ((DemoCommand) cl.getSubcommands().get("demo").getCommand()).llm.environment = Map.of();

        // The --llm-* options apply to the LLM agent of the list; the solver, which runs first, ignores them.
        int exit = cl.execute("demo", "--out", dir.toString(), "--agent", "solver,openai", "--llm-model",
                "local-planner", "--llm-base-url", "http://127.0.0.1:" + server.port() + "/v1",
                "--llm-repair-rounds", "0");

        assertThat(exit).as(err.toString()).isZero();
        List<LoggedRequest> asked = server.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(asked).hasSizeGreaterThan(1);
        // The solver's run had filled its journal before the LLM agent was first asked: had the LLM been shown
        // that journal, its first prompt would hold measured runs.
        assertThat(asked.get(0).getBodyAsString()).doesNotContain(HISTORY_HEADING);
        assertThat(asked.get(asked.size() - 1).getBodyAsString()).contains(HISTORY_HEADING);
        // Each agent journals its own decisions: only the LLM agent's carry the LLM's (rejected) proposal.
        assertThat(DecisionJournal.read(dir.resolve("journal-solver.jsonl"))).isNotEmpty()
                .allSatisfy(e -> assertThat(e.decision().proposal()).isNull());
        assertThat(DecisionJournal.read(dir.resolve("journal-openai.jsonl"))).isNotEmpty()
                .allSatisfy(e -> assertThat(e.decision().proposal().agent()).isEqualTo("openai"));
        List<List<String>> csv = Csv.parse(Files.readString(dir.resolve("steps.csv")));
        int agent = csv.get(0).indexOf("agent");
        assertThat(csv.subList(1, csv.size())).extracting(row -> row.get(agent)).containsOnly("solver", "openai")
                .filteredOn("openai"::equals).hasSize(csv.size() / 2);
        assertThat(Files.readString(dir.resolve("report.html"))).contains("<b>openai, measured</b>",
                "<b>solver, measured</b>");
    }
}
