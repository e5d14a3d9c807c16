package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RequestGate#enterAsync}: the rules of {@link RequestGate#enter}, with no thread waiting. */
class RequestGateAsyncTest {
    private record Wait(Duration waited, boolean admitted) {
    }

    private final RequestGate gate = new RequestGate();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<Wait> waits = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void anOpenGateAdmitsAtOnceAndClosingThePermitLetsTheGateDrain() throws Exception {
        gate.subscribe((waited, admitted) -> waits.add(new Wait(waited, admitted)));

        CompletableFuture<RequestGate.Permit> f = gate.enterAsync(Duration.ofSeconds(30), timer);

        assertThat(f).isDone();
        assertThat(gate.inFlight()).isEqualTo(1);
        f.get().close();
        assertThat(gate.inFlight()).isZero();
        assertThat(gate.awaitDrained(Duration.ZERO)).isTrue();
        assertThat(waits).containsExactly(new Wait(Duration.ZERO, true));
        assertThat(gate.admitted()).isEqualTo(1);
    }

    @Test
    void holdsAThousandRequestsWithoutAThreadEachAndAdmitsThemAllWhenTheGateOpens() throws Exception {
        gate.subscribe((waited, admitted) -> waits.add(new Wait(waited, admitted)));
        gate.pause("reconfiguring");
        List<CompletableFuture<RequestGate.Permit>> held = new ArrayList<>();
        int threadsBefore = Thread.activeCount();
        for (int i = 0; i < 1024; i++) {
            held.add(gate.enterAsync(Duration.ofMinutes(5), timer));
        }

        assertThat(held).noneMatch(CompletableFuture::isDone);
        assertThat(gate.waiting()).isEqualTo(1024);
        assertThat(gate.view().waiting()).isEqualTo(1024);
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore + 1); // the timer's thread at most
        gate.resume();

        assertThat(held).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(gate.inFlight()).isEqualTo(1024);
        assertThat(gate.waiting()).isZero();
        assertThat(gate.admitted()).isEqualTo(1024);
        assertThat(gate.awaitDrained(Duration.ZERO)).isFalse();
        for (CompletableFuture<RequestGate.Permit> f : held) {
            f.get().close();
        }
        assertThat(gate.awaitDrained(Duration.ZERO)).isTrue();
        assertThat(waits).hasSize(1024).allMatch(Wait::admitted);
    }

    @Test
    void aHeldRequestIsRejectedAtItsTimeoutWithTheReasonAndIsToldHowLongItWaited() {
        gate.subscribe((waited, admitted) -> waits.add(new Wait(waited, admitted)));
        gate.pause("the pipeline is being reconfigured from A to B");
        long start = System.nanoTime();

        CompletableFuture<RequestGate.Permit> f = gate.enterAsync(Duration.ofMillis(200), timer);

        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RequestRejectedException.class)
                .hasMessage("request rejected after waiting 200 ms: requests are paused because the pipeline is "
                        + "being reconfigured from A to B; retry later");
        long elapsed = System.nanoTime() - start;
        assertThat(gate.rejected()).isEqualTo(1);
        assertThat(gate.waiting()).isZero();
        assertThat(gate.inFlight()).isZero();
        assertThat(waits).hasSize(1);
        assertThat(waits.get(0).admitted()).isFalse();
        // It waited at least its timeout, and no longer than this test saw pass.
        assertThat(waits.get(0).waited()).isGreaterThanOrEqualTo(Duration.ofMillis(200))
                .isLessThanOrEqualTo(Duration.ofNanos(elapsed));
    }

    @Test
    void aZeroTimeoutIsRejectedAtOnceAndAClosedGateRejectsWaitingAndNewRequests() {
        gate.pause("a test");
        assertThat(gate.enterAsync(Duration.ZERO, timer)).isCompletedExceptionally();
        CompletableFuture<RequestGate.Permit> waiting = gate.enterAsync(Duration.ofMinutes(5), timer);

        gate.close();

        assertThatThrownBy(waiting::join).cause().isInstanceOf(RequestRejectedException.class)
                .hasMessage("request rejected: the orchestrator is closed");
        assertThatThrownBy(() -> gate.enterAsync(Duration.ofMinutes(5), timer).join()).cause()
                .hasMessage("request rejected: the orchestrator is closed");
        assertThat(gate.rejected()).isEqualTo(3);
        assertThat(gate.waiting()).isZero();
        assertThat(gate.admitted()).isZero();
    }

    @Test
    void cancellingAWaitingRequestWithdrawsItSoTheGateOpeningAdmitsOnlyTheOthers() {
        gate.pause("reconfiguring");
        CompletableFuture<RequestGate.Permit> gone = gate.enterAsync(Duration.ofMinutes(5), timer);
        CompletableFuture<RequestGate.Permit> stays = gate.enterAsync(Duration.ofMinutes(5), timer);

        assertThat(gone.cancel(false)).isTrue();
        assertThat(gate.waiting()).isEqualTo(1);
        gate.resume();

        assertThat(stays).isCompleted();
        assertThat(gate.inFlight()).isEqualTo(1);
        assertThat(gate.admitted()).isEqualTo(1);
        assertThat(gate.rejected()).isEqualTo(1);
        stays.join().close();
        assertThat(gate.awaitDrained(Duration.ZERO)).isTrue();
    }

    @Test
    void pausingAgainWhilePausedKeepsTheWaitersWaitingUntilTheGateOpens() {
        gate.pause("first switch");
        CompletableFuture<RequestGate.Permit> f = gate.enterAsync(Duration.ofMinutes(5), timer);
        gate.pause("second switch");
        assertThat(f).isNotDone();
        gate.resume();
        assertThat(f).isCompleted();
        assertThat(gate.inFlight()).isEqualTo(1);
    }

    @Test
    void aTimerThatRefusesTheTimeoutRejectsTheRequestAtOnceInsteadOfHoldingItForEver() {
        gate.pause("reconfiguring");
        timer.shutdown();

        CompletableFuture<RequestGate.Permit> f = gate.enterAsync(Duration.ofMinutes(5), timer);

        assertThat(f).isCompletedExceptionally();
        assertThat(gate.waiting()).isZero();
        assertThat(gate.rejected()).isEqualTo(1);
    }
}
