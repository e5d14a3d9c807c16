package dev.placement.gateway;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.ObjectiveScore;
import dev.placement.core.orchestrator.OrchestratorEvent;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.PlacementOrchestratorBuilder;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import dev.placement.sim.StandInVllmServer;
import dev.placement.vllm.LocalProcessLauncher;
import dev.placement.vllm.VllmOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real orchestrator over a simulated three-node cluster (inventory and probe; the test moves its links) whose
 * agent and predictor are a small table (the orchestrator's own tests use the same): ITL = 100 − 5 × stages + the
 * RTT of every crossing, so three stages win on fast links and two once node2's links are slow. The launcher is
 * the test's. Every event is recorded.
 */
final class Fixture {
    static final Placement THREE = Placement.parse("node0:13,node1:14,node2:13");
    static final Placement TWO = Placement.parse("node0:20,node1:20");

    final SimulatedCluster sim = SimulatedCluster.builder(SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z")),
            ResearchTestbed.NODES, Fixture::predict).noise(0, 0).defaultRttMillis(0.2).build();
    final List<OrchestratorEvent> events = new CopyOnWriteArrayList<>();

    /** The builder: real time, no cooldown, one-sample smoothing, any gain worth a 1 s restart. */
    PlacementOrchestratorBuilder orchestrator(PipelineLauncher launcher) {
        return PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(launcher).agent(new TableAgent())
                .predictor(Fixture::predict).model(ResearchTestbed.FALCON3_10B).firstNodeId("node0")
                .cooldown(Duration.ZERO).smoothingWindow(1).horizon(Duration.ofHours(1))
                .defaultRestartTime(Duration.ofSeconds(7)).drainTimeout(Duration.ofSeconds(30))
                .listener(events::add);
    }

    /** Makes node2's links slow (two stages win) or fast (three win). */
    void node2Slow(boolean slow) {
        double ms = slow ? 10 : 0.2;
        sim.setRttMillis("node1", "node2", ms);
        sim.setRttMillis("node0", "node2", 0.2 + ms);
    }

    /**
     * The real local-process launcher over stand-in vLLM servers ({@code java -cp ... StandInVllmServer}, 10 ms to
     * the first token, 5 ms per token), on 127.0.0.1, logging into {@code logs}; the test gives its port or range.
     */
    static LocalProcessLauncher.Builder standInLauncher(VllmOptions.Builder options, Path logs) {
        return LocalProcessLauncher.builder()
                .options(options.host("127.0.0.1").extraEnv("PLACEMENT_STANDIN_TTFT_MS", "10")
                        .extraEnv("PLACEMENT_STANDIN_ITL_MS", "5").build())
                .command(plan -> {
                    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString(), "-XX:TieredStopAtLevel=1", "-Xss512k", "-cp",
                            System.getProperty("java.class.path"), StandInVllmServer.class.getName()));
                    cmd.addAll(plan.serverArguments());
                    return cmd;
                })
                .pollInterval(Duration.ofMillis(20)).readyTimeout(Duration.ofSeconds(60))
                .drainTimeout(Duration.ofSeconds(5)).stopGracePeriod(Duration.ofSeconds(10)).logDirectory(logs);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HttpResponse<String> get(HttpClient http, URI uri, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postStream(HttpClient http, URI uri, String prompt, int tokens) throws Exception {
        return http.send(HttpRequest.newBuilder(uri.resolve("/v1/completions")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"m\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + tokens
                                + ",\"stream\":true}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    static PipelineMetrics predict(Placement p, PlacementRequest r) {
        ConnectivityMap c = r.connectivity();
        List<String> ids = p.nodeIds();
        double links = 0;
        for (int i = 0; i < ids.size() && ids.size() > 1; i++) {
            String from = ids.get(i);
            String to = ids.get((i + 1) % ids.size());
            if (!c.hasLink(from, to)) {
                throw new InfeasiblePlacementException("no RTT is known from " + from + " to " + to);
            }
            links += c.requireRttMillis(from, to);
        }
        double itl = 100 - 5 * ids.size() + links;
        return new PipelineMetrics(900 + 50 * (3 - ids.size()), itl, itl, 8000 / itl, PipelineMetrics.Source.PREDICTED);
    }

    /** The best of the three-stage and the two-stage placement by {@link #predict}. */
    static final class TableAgent implements PlacementAgent {
        @Override
        public String name() {
            return "table";
        }

        @Override
        public PlacementDecision decide(PlacementRequest request) {
            ClusterSnapshot cluster = request.cluster();
            List<Placement> candidates = new ArrayList<>();
            if (cluster.nodeIds().size() == 3) {
                candidates.add(THREE);
            }
            candidates.add(TWO);
            Placement best = null;
            PipelineMetrics bestMetrics = null;
            for (Placement p : candidates) {
                PipelineMetrics m = predict(p, request);
                if (bestMetrics == null || ObjectiveScore.score(request.objective(), m)
                        < ObjectiveScore.score(request.objective(), bestMetrics)) {
                    best = p;
                    bestMetrics = m;
                }
            }
            return new PlacementDecision(best, name(), "best of " + candidates.size(), bestMetrics, null);
        }
    }
}
