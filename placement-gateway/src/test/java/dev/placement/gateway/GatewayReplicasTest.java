package dev.placement.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.orchestrator.OrchestratorEvent;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import dev.placement.vllm.LocalProcessLauncher;
import dev.placement.vllm.VllmOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test for replicas: three replicas, each a stand-in vLLM process started by the real local-process
 * launcher on its own port, behind the gateway; 64 streaming clients; then the links change so that every replica
 * must move, and the orchestrator rolls them over one at a time while the others serve. No request may fail, and
 * none may wait at the gate: the gate's own wait listener hears how long each request waited.
 */
class GatewayReplicasTest {
    private static final int CLIENTS = 64;
    private static final int TOKENS = 20;
    /** Six T4s; a replica is a pair of them, on the fast links of {@link #pairsFast}. */
    private static final List<NodeSpec> NODES = List.of(node(0), node(1), node(2), node(3), node(4), node(5));

    private static NodeSpec node(int i) {
        return new NodeSpec("t4-" + i, "10.0.0." + (i + 1), ResearchTestbed.T4);
    }

    @TempDir
    Path logs;

    private final SimulatedCluster sim = SimulatedCluster.builder(
            SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z")), NODES, PerformanceModel.defaults())
            .noise(0, 0).defaultRttMillis(6.0).build();

    /** Pairs (0,1), (2,3), (4,5) fast when {@code shift} is 0; (1,2), (3,4), (5,0) when it is 1; the rest slow. */
    private void pairsFast(int shift) {
        for (int i = 0; i < 6; i++) {
            for (int j = i + 1; j < 6; j++) {
                boolean pair = Math.floorMod(i - shift, 2) == 0 && j == i + 1 || shift == 1 && i == 0 && j == 5;
                sim.setRttMillis("t4-" + i, "t4-" + j, pair ? 0.3 : 40.0);
            }
        }
    }

    @Test
    void threeReplicasRollOverUnderSixtyFourStreamsWithNoFailureAndNoRequestHeld() throws Exception {
        pairsFast(0);
        int firstPort = freePortRange(6);
        LocalProcessLauncher launcher = Fixture.standInLauncher(VllmOptions.builder(), logs)
                .portRange(firstPort, firstPort + 5).build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<OrchestratorEvent> events = new CopyOnWriteArrayList<>();
        AtomicInteger heldAtTheGate = new AtomicInteger();
        StreamingClients clients = null;
        List<RunningPipeline> before;
        List<RunningPipeline> after;
        try (PlacementOrchestrator o = PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(launcher)
                .replicas(3).model(ResearchTestbed.FALCON3_10B).objective(Objective.maximizeThroughput())
                .workload(new Workload(512, 128, CLIENTS)).maxModelLen(4096).cooldown(Duration.ZERO)
                .smoothingWindow(1).horizon(Duration.ofHours(1)).drainTimeout(Duration.ofSeconds(30))
                .stopPipelineOnClose(true).listener(events::add).build();
             PlacementGateway g = PlacementGateway.builder().orchestrator(o).holdTimeout(Duration.ofSeconds(60))
                     .build()) {
            assertThat(o.runOnce().action()).isEqualTo(TickOutcome.Action.RECONFIGURED);
            before = o.replicas();
            assertThat(before).hasSize(3);
            assertThat(before.stream().map(r -> r.endpoint().getPort()).distinct()).hasSize(3);
            g.start();
            o.gate().subscribe((waited, admitted) -> {
                if (!waited.isZero() || !admitted) {
                    heldAtTheGate.incrementAndGet();
                }
            });
            clients = new StreamingClients(CLIENTS, http, g.baseUri(), TOKENS);
            clients.awaitMore(2 * CLIENTS);

            pairsFast(1);
            TickOutcome rolled = o.runOnce();

            assertThat(rolled.action()).as(rolled.reason()).isEqualTo(TickOutcome.Action.RECONFIGURED);
            after = o.replicas();
            clients.awaitMore(2 * CLIENTS);
            assertThat(clients.stop()).isTrue();
        } finally {
            if (clients != null) {
                clients.close();
            }
        }

        assertThat(after).hasSize(3).doesNotContainAnyElementsOf(before);
        List<StreamingClients.Seen> all = List.copyOf(clients.seen);
        assertThat(all).hasSizeGreaterThan(4 * CLIENTS);
        assertThat(all).allSatisfy(s -> {
            assertThat(s.error()).isNull();
            assertThat(s.status()).isEqualTo(200);
            assertThat(s.done()).isTrue();
            assertThat(s.chunks()).isEqualTo(TOKENS);
            assertThat(s.fingerprints()).hasSize(1);
        });
        assertThat(heldAtTheGate).hasValue(0);
        Set<String> servedBy = new HashSet<>();
        all.forEach(s -> servedBy.addAll(s.fingerprints()));
        assertThat(servedBy).hasSize(6); // all three replicas before, and all three after
        assertThat(events.stream().filter(e -> e instanceof OrchestratorEvent.Reconfigured)).hasSize(6);
    }

    /** The first of {@code n} consecutive loopback ports that are free now. */
    private static int freePortRange(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = Fixture.freePort();
            if (first + n - 1 > 65535) {
                continue;
            }
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int p = first; p < first + n; p++) {
                    held.add(new ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
                }
                return first;
            } catch (IOException taken) {
                // try another range
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
        }
        throw new IOException("no " + n + " consecutive free loopback ports found");
    }
}
