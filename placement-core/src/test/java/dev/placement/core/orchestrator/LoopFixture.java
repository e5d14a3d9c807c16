package dev.placement.core.orchestrator;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.ModelSpec;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.ObjectiveScore;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A three-node simulated cluster with a table-like predictor whose numbers are chosen by the test, not by the
 * performance model: ITL = 100 − 5 × stages + the RTT of every crossing (return hop included). With node0–node1
 * at 0.2 ms and node0–node2 = 0.2 + rtt(node1, node2), three stages win while rtt(node1, node2) < 2.5 ms.
 */
final class LoopFixture {
    static final ModelSpec MODEL = ResearchTestbed.FALCON3_10B;
    static final Placement THREE = Placement.parse("node0:13,node1:14,node2:13");
    static final Placement TWO = Placement.parse("node0:20,node1:20");

    final SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    final SimulatedCluster sim;
    final CandidateAgent agent = new CandidateAgent();
    final List<OrchestratorEvent> events = new ArrayList<>();

    LoopFixture() {
        sim = SimulatedCluster.builder(clock, ResearchTestbed.NODES, LoopFixture::predict).seed(7).noise(0, 0)
                .restartDelay(Duration.ofSeconds(40)).build();
    }

    /** Advances the simulated clock by {@code d} and ticks once. */
    TickOutcome tickAfter(PlacementOrchestrator o, Duration d) {
        clock.advance(d);
        return o.runOnce();
    }

    void setNode1Node2Rtt(double ms) {
        sim.setRttMillis("node1", "node2", ms);
        sim.setRttMillis("node0", "node2", 0.2 + ms);
    }

    PlacementOrchestratorBuilder orchestrator() {
        return PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(sim).metricsSource(sim)
                .agent(agent).model(MODEL).clock(clock).predictor(LoopFixture::predict).firstNodeId("node0")
                .listener(e -> {
                    synchronized (events) {
                        events.add(e);
                    }
                });
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

    /** Picks the best of a few candidates over the request's nodes by the fixture's predictor; counts its calls. */
    static final class CandidateAgent implements PlacementAgent {
        final AtomicInteger calls = new AtomicInteger();
        final List<PlacementRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "candidates";
        }

        @Override
        public PlacementDecision decide(PlacementRequest request) {
            calls.incrementAndGet();
            requests.add(request);
            ClusterSnapshot cluster = request.cluster();
            List<Placement> candidates = new ArrayList<>();
            List<String> ids = cluster.nodeIds();
            if (ids.size() == 3) {
                candidates.add(Placement.of(ids, List.of(13, 14, 13)));
            }
            for (int i = 1; i < ids.size(); i++) {
                candidates.add(Placement.of(List.of(ids.get(0), ids.get(i)), List.of(20, 20)));
            }
            Placement best = null;
            PipelineMetrics bestMetrics = null;
            for (Placement p : candidates) {
                try {
                    PipelineMetrics m = predict(p, request);
                    if (bestMetrics == null || ObjectiveScore.score(request.objective(), m)
                            < ObjectiveScore.score(request.objective(), bestMetrics)) {
                        best = p;
                        bestMetrics = m;
                    }
                } catch (InfeasiblePlacementException e) {
                    // not a candidate on these links
                }
            }
            if (best == null) {
                throw new InfeasiblePlacementException("no candidate fits");
            }
            return new PlacementDecision(best, name(), "best of " + candidates.size() + " candidates", bestMetrics,
                    null);
        }
    }
}
