package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Slo;
import dev.placement.api.Workload;
import dev.placement.cli.demo.DemoScenario;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.StreamTiming;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Predicted goodput against goodput measured by {@code placement bench --goodput}, exactly as vLLM counts it,
 * on a loopback server that plays the predicted timings of the simulated cluster: the i-th request of each
 * burst gets its predicted TTFT, every request its predicted TPOT. The timings are played twenty times faster
 * (rates twenty times higher) so that the run takes seconds, with SLOs halfway between burst positions (more than
 * 15 ms apart as played), so a busy machine's lateness does not move a request across one. A burst's warm-up
 * requests come first; arrivals then keep their place in the burst (arrival mod concurrency).
 */
class GoodputPredictionTest {
    /** How much faster the server plays the predicted timings. */
    private static final double SPEED = 20;
    /**
     * Requests measured: enough that the last burst's tail (the bench's duration ends with its slowest request)
     * is a small part of the run.
     */
    private static final int PROMPTS = 192;

    @Test
    void predictedGoodputOfTheSimulatedClusterMatchesTheMeasuredOneWithinFivePercent() throws Exception {
        // The loopback server streams one token per chunk at an even pace, where TPOT equals ITL: the truth's
        // TPOT/ITL ratio (a real server's) is 1 for it.
        PerformanceModel truth = new PerformanceModel(DemoScenario.builtIn().truth().withTpotPerItl(1.0));
        int concurrency = 4;
        Workload workload = new Workload(1024, 8, concurrency);
        PlacementRequest request = PlacementRequest.builder(ResearchTestbed.FALCON3_10B, ResearchTestbed.cluster(),
                ResearchTestbed.links(0.2, 2, 10)).workload(workload).maxModelLen(4096).build();
        Prediction p = truth.predict(Placement.parse("node0:14,node1:14,node2:12"), request);
        Prediction.Spread s = p.spread();
        assertThat(s.sequences()).isEqualTo(concurrency);
        assertThat(s.ttftStepMillis() / SPEED).as("the step between burst positions, as played").isGreaterThan(15);
        // Two of every four requests within the TTFT SLO; every request within the TPOT one.
        Slo slo = new Slo((s.ttftMillis(1) + s.ttftMillis(2)) / 2, null, s.tpotMillis() * 1.5, null);
        double predicted = s.goodput(slo) * SPEED;
        assertThat(s.shareWithin(slo)).isEqualTo(0.5);

        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder()
                .timingByArrival(arrival -> new StreamTiming(millis(s.ttftMillis(arrival % concurrency) / SPEED),
                        millis(s.tpotMillis() / SPEED)))
                .start()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = CapturingCli.writingTo(out, err).execute("bench", "--url", server.baseUrl().toString(),
                    "--model", server.modelName(), "--num-prompts", String.valueOf(PROMPTS),
                    "--max-concurrency", String.valueOf(concurrency), "--input-len", "16", "--output-len",
                    String.valueOf(workload.outputTokens()), "--num-warmups", String.valueOf(concurrency), "--no-progress", "--json",
                    "--goodput", String.format(Locale.ROOT, "ttft:%.3f", slo.ttftMillis() / SPEED),
                    String.format(Locale.ROOT, "tpot:%.3f", slo.tpotMillis() / SPEED));
            assertThat(code).as(err.toString()).isZero();
            JsonNode result = new ObjectMapper().readTree(out.toString());
            assertThat(result.get("completed").asInt()).isEqualTo(PROMPTS);
            double measured = result.get("request_goodput").asDouble();
            assertThat(measured).as("predicted %s; spread %s; result %s", predicted, s, out).isCloseTo(predicted, within(0.05 * predicted));
        }
    }

    private static Duration millis(double ms) {
        return Duration.ofNanos(Math.round(ms * 1e6));
    }
}
