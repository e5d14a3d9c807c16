package dev.placement.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.placement.core.orchestrator.OrchestratorEvent;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.sim.StandInVllmServer;
import dev.placement.vllm.LocalProcessLauncher;
import dev.placement.vllm.VllmOptions;
import io.micrometer.core.instrument.Counter;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test: 64 streaming clients through the gateway while a real orchestrator reconfigures three times,
 * each time stopping a stand-in vLLM process ({@link StandInVllmServer}, started by the real local-process
 * launcher as {@code java -cp ...}) and starting another. Times are judged against the switches' own start and
 * end as the orchestrator's events recorded them (same clock as the clients': the system UTC clock).
 */
class GatewaySwitchoverTest {
    private static final int CLIENTS = 64;
    private static final int TOKENS = 20;

    @TempDir
    Path logs;

    @Test
    void sixtyFourStreamsAcrossThreeReconfigurationsAllCompleteAndHeldOnesGoToTheNewPipeline() throws Exception {
        Fixture f = new Fixture();
        int port = Fixture.freePort();
        LocalProcessLauncher launcher = Fixture.standInLauncher(VllmOptions.builder().port(port), logs).build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        StreamingClients clients = null;
        List<String> pipelineIds = new ArrayList<>();
        try (PlacementOrchestrator o = f.orchestrator(launcher).stopPipelineOnClose(true).build();
             PlacementGateway g = PlacementGateway.builder().orchestrator(o).holdTimeout(Duration.ofSeconds(60))
                     .build()) {
            assertThat(o.runOnce().action()).isEqualTo(TickOutcome.Action.RECONFIGURED);
            pipelineIds.add(o.running().orElseThrow().id());
            g.start();
            clients = new StreamingClients(CLIENTS, http, g.baseUri(), TOKENS);
            clients.awaitMore(2 * CLIENTS);

            // A client that goes away mid-stream frees its upstream stream: the stand-in sees it closed early.
            URI standIn = o.running().orElseThrow().endpoint();
            HttpResponse<InputStream> leaving = http.send(StreamingClients.request(g.baseUri(), "leaving", 1_000_000),
                    HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader in = new BufferedReader(new InputStreamReader(leaving.body(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("data: ");
            in.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> Fixture.get(http, standIn.resolve("/standin/streams"))
                    .body().contains("\"closedEarly\":[\"leaving\"]"));
            Counter gone = g.meterRegistry().find(GatewayMeters.REQUESTS).tags("outcome", "client_gone").counter();
            await().atMost(Duration.ofSeconds(30)).until(() -> gone != null && gone.count() == 1.0);

            for (int i = 0; i < 3; i++) {
                f.node2Slow(i % 2 == 0);
                assertThat(o.runOnce().action()).isEqualTo(TickOutcome.Action.RECONFIGURED);
                pipelineIds.add(o.running().orElseThrow().id());
                clients.awaitMore(CLIENTS);
            }
            assertThat(clients.stop()).isTrue();
        } finally {
            if (clients != null) {
                clients.close();
            }
        }

        List<StreamingClients.Seen> all = List.copyOf(clients.seen);
        assertThat(all).hasSizeGreaterThan(5 * CLIENTS);
        assertThat(all).allSatisfy(s -> {
            assertThat(s.error()).isNull();
            assertThat(s.status()).isEqualTo(200);
            assertThat(s.done()).isTrue();
            assertThat(s.chunks()).isEqualTo(TOKENS);
            assertThat(s.fingerprints()).hasSize(1);
        });
        List<OrchestratorEvent.Reconfigured> switches = f.events.stream()
                .filter(e -> e instanceof OrchestratorEvent.Reconfigured).map(e -> (OrchestratorEvent.Reconfigured) e)
                .toList();
        assertThat(switches).hasSize(4); // the first start, then three reconfigurations
        assertThat(pipelineIds).doesNotHaveDuplicates().hasSize(4);
        for (int i = 1; i < 4; i++) {
            Instant end = switches.get(i).at();
            Duration restart = switches.get(i).restartTime();
            Instant start = end.minus(restart); // when the gate was paused
            String newPipeline = "pid-" + pipelineIds.get(i).substring("local-".length());
            List<StreamingClients.Seen> held = all.stream().filter(s -> s.sent().isAfter(start.plusMillis(1))
                    && s.sent().isBefore(end)).toList();
            assertThat(held).as("requests sent during switch %d", i).isNotEmpty();
            Duration longest = Duration.ZERO;
            for (StreamingClients.Seen s : held) {
                Duration ttft = Duration.between(s.sent(), s.firstChunk());
                Duration heldFor = Duration.between(s.sent(), end);
                assertThat(s.fingerprints()).as("served by the new pipeline").containsExactly(newPipeline);
                // It waited for the switch to end, and not much more: less than another restart on top.
                assertThat(ttft).isGreaterThanOrEqualTo(heldFor.minusMillis(1)).isLessThan(heldFor.plus(restart));
                longest = ttft.compareTo(longest) > 0 ? ttft : longest;
            }
            // The earliest held requests waited about the whole restart.
            assertThat(longest).as("switch %d took %s", i, restart).isGreaterThan(restart.dividedBy(2));
        }
    }
}
