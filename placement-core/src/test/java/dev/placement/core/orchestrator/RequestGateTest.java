package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestGateTest {

    @Test
    void letsRequestsThroughAtOnceWhileOpenAndCountsThem() {
        RequestGate gate = new RequestGate();

        try (RequestGate.Permit a = gate.enter(Duration.ZERO); RequestGate.Permit b = gate.enter(Duration.ZERO)) {
            assertThat(gate.inFlight()).isEqualTo(2);
            a.close();
            a.close(); // closing twice is harmless
            assertThat(gate.inFlight()).isEqualTo(1);
        }
        assertThat(gate.inFlight()).isZero();
        assertThat(gate.admitted()).isEqualTo(2);
    }

    @Test
    void rejectsAfterTheTimeoutWithTheReasonWhilePaused() {
        RequestGate gate = new RequestGate();
        gate.pause("the pipeline is being reconfigured from A to B");

        assertThatThrownBy(() -> gate.enter(Duration.ofMillis(20)))
                .isInstanceOf(RequestRejectedException.class)
                .hasMessage("request rejected after waiting 20 ms: requests are paused because the pipeline is "
                        + "being reconfigured from A to B; retry later");
        assertThat(gate.rejected()).isEqualTo(1);
    }

    @Test
    void aWaitingRequestGoesThroughWhenTheGateResumes() throws Exception {
        RequestGate gate = new RequestGate();
        gate.pause("test");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> waiter = pool.submit(() -> {
                try (RequestGate.Permit p = gate.enter(Duration.ofSeconds(30))) {
                    return true;
                }
            });
            assertThat(waiter.isDone()).isFalse();
            gate.resume();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void drainingWaitsForInFlightRequestsAndIsBounded() throws Exception {
        RequestGate gate = new RequestGate();
        RequestGate.Permit permit = gate.enter(Duration.ZERO);
        gate.pause("test");

        assertThat(gate.awaitDrained(Duration.ofMillis(10))).isFalse();
        permit.close();
        assertThat(gate.awaitDrained(Duration.ofMillis(10))).isTrue();
    }

    @Test
    void closingRejectsWaitersAtOnce() throws Exception {
        RequestGate gate = new RequestGate();
        gate.pause("test");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> waiter = pool.submit(() -> gate.enter(Duration.ofMinutes(5)));
            gate.close();
            assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RequestRejectedException.class)
                    .hasMessageContaining("closed");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyCallersAcrossRepeatedReconfigurationsAllCompleteOrGetTheClearRejection() throws Exception {
        LoopFixture f = new LoopFixture();
        AtomicInteger launchesWithRequestsInFlight = new AtomicInteger();
        PlacementOrchestrator[] self = new PlacementOrchestrator[1];
        ExecutorService probes = Executors.newCachedThreadPool();
        List<Future<String>> impatient = new CopyOnWriteArrayList<>();
        List<Future<String>> patient = new CopyOnWriteArrayList<>();
        // The launcher checks the drain (nothing in flight while the pipeline restarts) and, while the gate is
        // paused, sends one impatient request (must be rejected) and one patient request (must get through
        // once the gate resumes).
        PipelineLauncher checking = new PipelineLauncher() {
            @Override
            public RunningPipeline launch(Placement placement, PlacementRequest request) {
                if (self[0].gate().inFlight() != 0) {
                    launchesWithRequestsInFlight.incrementAndGet();
                }
                impatient.add(probes.submit(() -> request(self[0].gate(), Duration.ofMillis(1))));
                patient.add(probes.submit(() -> request(self[0].gate(), Duration.ofSeconds(30))));
                try {
                    impatient.get(impatient.size() - 1).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return f.sim.launch(placement, request);
            }

            @Override
            public void stop(RunningPipeline pipeline) {
                f.sim.stop(pipeline);
            }
        };
        int callers = 8;
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger attempted = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        AtomicInteger otherFailures = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(callers);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try (PlacementOrchestrator o = f.orchestrator().launcher(checking).cooldown(Duration.ZERO)
                .smoothingWindow(1).drainTimeout(Duration.ofSeconds(10)).linkFlapDamping(0, Duration.ofHours(1))
                .build()) {
            self[0] = o;
            o.runOnce();
            for (int c = 0; c < callers; c++) {
                pool.submit(() -> {
                    started.countDown();
                    while (!done.get()) {
                        attempted.incrementAndGet();
                        String result = request(o.gate(), Duration.ofMillis(20));
                        (result.equals("ok") ? completed : result.equals("rejected") ? rejected : otherFailures)
                                .incrementAndGet();
                    }
                });
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            int reconfigurations = 0;
            for (int i = 0; i < 30; i++) {
                f.setNode1Node2Rtt(i % 2 == 0 ? 8 : 0.2);
                f.clock.advance(Duration.ofSeconds(30));
                if (o.runOnce().reconfigured()) {
                    reconfigurations++;
                }
            }
            done.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).as("no caller hangs").isTrue();
            for (Future<String> p : patient) {
                assertThat(p.get(60, TimeUnit.SECONDS)).isEqualTo("ok");
            }
            for (Future<String> p : impatient) {
                assertThat(p.get(60, TimeUnit.SECONDS)).isEqualTo("rejected");
            }

            assertThat(reconfigurations).isEqualTo(30);
            assertThat(patient).hasSize(31); // the first start included
            assertThat(completed.get() + rejected.get()).as("none is lost").isEqualTo(attempted.get());
            assertThat(otherFailures).hasValue(0);
            assertThat(completed.get()).isPositive();
            assertThat(launchesWithRequestsInFlight).hasValue(0);
            assertThat(o.gate().inFlight()).isZero();
        } finally {
            pool.shutdownNow();
            probes.shutdownNow();
        }
    }

    private static String request(RequestGate gate, Duration timeout) {
        try (RequestGate.Permit p = gate.enter(timeout)) {
            return "ok";
        } catch (RequestRejectedException e) {
            return e.getMessage().contains("requests are paused because") ? "rejected" : "unclear: " + e.getMessage();
        }
    }
}
