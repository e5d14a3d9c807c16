package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link RequestGate#subscribe(RequestGate.WaitListener)}: how long each request waited, and nothing else changes. */
class RequestGateWaitTest {
    private record Wait(Duration waited, boolean admitted) {
    }

    private final RequestGate gate = new RequestGate();
    private final List<Wait> waits = new CopyOnWriteArrayList<>();

    @Test
    void aRequestThroughAnOpenGateWaitedNothingAndARejectedOneIsToldAsRejected() {
        gate.subscribe((waited, admitted) -> waits.add(new Wait(waited, admitted)));

        gate.enter(Duration.ZERO).close();
        gate.pause("a test");
        assertThatThrownBy(() -> gate.enter(Duration.ZERO)).isInstanceOf(RequestRejectedException.class)
                .hasMessageContaining("because a test");
        gate.close();
        assertThatThrownBy(() -> gate.enter(Duration.ofSeconds(5))).isInstanceOf(RequestRejectedException.class);

        assertThat(waits).hasSize(3);
        assertThat(waits.get(0)).isEqualTo(new Wait(Duration.ZERO, true));
        assertThat(waits.get(1).admitted()).isFalse();
        assertThat(waits.get(2)).isEqualTo(new Wait(Duration.ZERO, false));
        assertThat(gate.admitted()).isEqualTo(1);
        assertThat(gate.rejected()).isEqualTo(2);
    }

    @Test
    void aRequestHeldByAPausedGateIsToldHowLongItWaitedOnceAdmitted() throws Exception {
        gate.subscribe((waited, admitted) -> waits.add(new Wait(waited, admitted)));
        gate.pause("reconfiguring");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> waiter = pool.submit(() -> {
                try (RequestGate.Permit p = gate.enter(Duration.ofSeconds(30))) {
                    return true;
                }
            });
            awaitWaiting(1);
            assertThat(gate.view().waiting()).isEqualTo(1);
            gate.resume();

            assertThat(waiter.get(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(waits).singleElement().satisfies(w -> {
            assertThat(w.admitted()).isTrue();
            assertThat(w.waited()).isGreaterThan(Duration.ZERO);
        });
    }

    @Test
    void aThrowingListenerChangesNothingAndAClosedSubscriptionHearsNoMore() {
        gate.subscribe((waited, admitted) -> {
            throw new IllegalStateException("listener bug");
        });
        Subscription s = gate.subscribe((waited, admitted) -> waits.add(new Wait(waited, admitted)));

        try (RequestGate.Permit p = gate.enter(Duration.ZERO)) {
            assertThat(gate.inFlight()).isEqualTo(1);
        }
        s.close();
        gate.enter(Duration.ZERO).close();

        assertThat(waits).hasSize(1);
        assertThat(gate.admitted()).isEqualTo(2);
        assertThat(gate.inFlight()).isZero();
    }

    /** Spins (no sleep) until {@code n} requests wait at the gate; fails after a generous bound. */
    private void awaitWaiting(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (gate.waiting() != n) {
            assertThat(System.nanoTime()).as("a request waiting at the gate").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
