package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.Placement;
import dev.placement.api.RunningPipeline;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class RequestGateRoutingTest {
    private static final RunningPipeline A = pipeline("a", "n0:20,n1:20");
    private static final RunningPipeline B = pipeline("b", "n2:20,n3:20");
    private static final RunningPipeline C = pipeline("c", "n4:13,n5:14,n6:13");

    private static RunningPipeline pipeline(String id, String spec) {
        return new RunningPipeline(id, Placement.parse(spec), URI.create("http://127.0.0.1:1"), Instant.EPOCH);
    }

    private static Map<String, Integer> routed(List<RequestGate.Permit> permits) {
        Map<String, Integer> counts = new HashMap<>();
        permits.forEach(p -> counts.merge(p.pipeline().orElseThrow().id(), 1, Integer::sum));
        return counts;
    }

    private static List<RequestGate.Permit> enter(RequestGate gate, int n) {
        List<RequestGate.Permit> permits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            permits.add(gate.enter(Duration.ZERO));
        }
        return permits;
    }

    @Test
    void requestsSplitByCapacityAmongTheReplicas() {
        RequestGate gate = new RequestGate();
        gate.serve(A, 100);
        gate.serve(B, 300);
        gate.serve(C, 200);

        List<RequestGate.Permit> permits = enter(gate, 60);

        assertThat(routed(permits)).containsEntry("a", 10).containsEntry("b", 30).containsEntry("c", 20);
        assertThat(gate.view().replicas()).extracting(OrchestratorHealth.Replica::outstanding)
                .containsExactly(10, 30, 20);
        permits.subList(0, 30).forEach(RequestGate.Permit::close); // whichever ended, the next go where least is
        List<RequestGate.Permit> more = enter(gate, 30);
        permits.addAll(more);
        assertThat(gate.view().replicas()).extracting(OrchestratorHealth.Replica::outstanding)
                .containsExactly(10, 30, 20);
    }

    @Test
    void aRetiredReplicaGetsNoNewRequestAndDrainsAlone() {
        RequestGate gate = new RequestGate();
        gate.serve(A, 1);
        gate.serve(B, 1);
        List<RequestGate.Permit> first = enter(gate, 4); // two on each

        gate.retire("a");
        List<RequestGate.Permit> later = enter(gate, 4);

        assertThat(routed(later)).containsOnlyKeys("b");
        assertThat(gate.awaitDrained("a", Duration.ZERO)).isFalse();
        first.stream().filter(p -> p.pipeline().orElseThrow().id().equals("a")).forEach(RequestGate.Permit::close);
        assertThat(gate.awaitDrained("a", Duration.ZERO)).isTrue();
        assertThat(gate.inFlight()).isEqualTo(6); // b's requests go on: the gate as a whole is not drained
        assertThat(gate.anyServing()).isTrue();
        gate.retire("b");
        assertThat(gate.anyServing()).isFalse();
    }

    @Test
    void aForgottenReplicaIsNotRoutedToAndItsOpenPermitsEndHarmlessly() {
        RequestGate gate = new RequestGate();
        gate.serve(A, 1);
        gate.serve(B, 1);
        List<RequestGate.Permit> open = enter(gate, 2);

        gate.keepOnly(List.of("b"));
        open.forEach(RequestGate.Permit::close);

        assertThat(gate.view().replicas()).extracting(OrchestratorHealth.Replica::id).containsExactly("b");
        assertThat(gate.view().replicas().get(0).outstanding()).isZero();
        assertThat(routed(enter(gate, 3))).containsOnlyKeys("b");
    }

    @Test
    void servingAgainUpdatesTheCapacityAndKeepsTheCount() {
        RequestGate gate = new RequestGate();
        gate.serve(A, 1);
        gate.serve(B, 1);
        List<RequestGate.Permit> open = enter(gate, 2);
        gate.retire("a");

        gate.serve(A, 3); // serving again with a new capacity, the request it holds still counted

        assertThat(gate.view().replicas().get(0)).satisfies(r -> {
            assertThat(r.serving()).isTrue();
            assertThat(r.capacity()).isEqualTo(3.0);
            assertThat(r.outstanding()).isEqualTo(1);
        });
        assertThat(routed(enter(gate, 6))).containsEntry("a", 5).containsEntry("b", 1);
        open.forEach(RequestGate.Permit::close);
    }

    @Test
    void aRetriedRequestAvoidsTheReplicaItFailedOnUnlessNoOtherServes() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            RequestGate gate = new RequestGate();
            gate.serve(A, 1000);
            gate.serve(B, 1);

            RequestGate.Permit retried = gate.enterAsync(Duration.ZERO, timer, "a").get();
            gate.retire("b");
            RequestGate.Permit alone = gate.enterAsync(Duration.ZERO, timer, "a").get();

            assertThat(retried.pipeline()).contains(B);
            assertThat(alone.pipeline()).contains(A);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void requestsHeldWhilePausedAreRoutedWhenTheGateOpens() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            RequestGate gate = new RequestGate();
            gate.pause("no pipeline has been started yet");
            List<CompletableFuture<RequestGate.Permit>> held = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                held.add(gate.enterAsync(Duration.ofMinutes(1), timer));
            }

            gate.serve(A, 1);
            gate.serve(B, 1);
            gate.resume();

            List<RequestGate.Permit> permits = new ArrayList<>();
            for (CompletableFuture<RequestGate.Permit> f : held) {
                permits.add(f.get());
            }
            assertThat(routed(permits)).containsEntry("a", 2).containsEntry("b", 2);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aGateWithNoReplicaAdmitsWithoutAPipeline() {
        RequestGate gate = new RequestGate();

        try (RequestGate.Permit p = gate.enter(Duration.ZERO)) {
            assertThat(p.pipeline()).isEmpty();
        }
    }
}
