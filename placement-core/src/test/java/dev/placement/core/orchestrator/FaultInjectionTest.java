package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.placement.api.RunningPipeline;
import dev.placement.core.orchestrator.FaultyPlugins.Call;
import dev.placement.core.orchestrator.FaultyPlugins.Fault;
import dev.placement.core.orchestrator.TickOutcome.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13's "the loop never lies and never hangs", all at once: a real orchestrator whose inventory, probe,
 * metrics source, agent and launcher hang, throw and lie on a seeded schedule ({@link FaultyPlugins}), over a
 * simulated cluster whose nodes fail, return, and fail and return between two ticks, with a link that flips
 * every tick and requests passing through the gate from a few threads. After every tick: the state is
 * consistent with what the plug-ins said and with what really runs, no request is admitted to a dead
 * pipeline, and the tick is journaled if it decided. Then the faults stop and the loop must recover; then
 * only the link flaps (the flap bound is checked there); then {@code close()} is called while the agent hangs.
 */
class FaultInjectionTest {
    private static final long SEED = 13;
    /** The chaos ticks every 10 s; calm and flapping, far from any fault, tick less often to keep the test quick. */
    private static final Duration TICK = Duration.ofSeconds(10);
    private static final Duration CALM_TICK = Duration.ofMinutes(1);
    private static final Duration FLAP_TICK = Duration.ofSeconds(20);
    /**
     * Every plug-in deadline. Long enough that an honest call is never abandoned because a busy machine ran its
     * thread late (that would hide a node failure the call reported, and fail the test for the machine's sake);
     * hangs are rare enough that the deadlines they cost keep the test near 15 s.
     */
    private static final Duration DEADLINE = Duration.ofMillis(500);
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final int CHAOS_TICKS = 400;
    /** Longer than the flap hold (an hour), so the chaos's flaps are forgotten before only the link flaps. */
    private static final int CALM_TICKS = 80;
    private static final int FLAP_TICKS = (int) (Duration.ofHours(2).toSeconds() / FLAP_TICK.toSeconds());
    private static final int REQUESTERS = 3;

    private final LoopFixture f = new LoopFixture();
    private final FaultyPlugins plugins = new FaultyPlugins(f.sim, SEED);
    /** Odd while a tick runs: a request admitted while it stays even saw the state a finished tick left. */
    private final AtomicLong ticking = new AtomicLong();
    private final Semaphore requestBudget = new Semaphore(0);
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicInteger checkedBetweenTicks = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();
    private volatile boolean stopRequests;
    private int journaled;
    private int flips;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a hang detector only; the run takes seconds
    void theLoopStaysConsistentAdmitsNothingToADeadPipelineAndClosesWhilePluginsHangThrowAndLie()
            throws Exception {
        PlacementOrchestrator o = f.orchestrator().inventory(plugins.inventory).probe(plugins.probe)
                .metricsSource(plugins.metrics).agent(plugins.agent).launcher(plugins.launcher)
                .observeTimeout(DEADLINE).agentTimeout(DEADLINE).launchTimeout(DEADLINE).stopTimeout(DEADLINE)
                .drainTimeout(DEADLINE).build();
        List<Thread> requesters = startRequesters(o);
        try {
            for (int i = 0; i < CHAOS_TICKS; i++) {
                plugins.plan(true);
                tick(o, i, TICK, true);
            }
            assertEveryFaultHappened();

            for (int i = 0; i < CALM_TICKS; i++) {
                plugins.plan(false);
                recoverAllNodes();
                tick(o, CHAOS_TICKS + i, CALM_TICK, false);
            }
            assertThat(o.state()).as("recovered once the faults stopped").isEqualTo(OrchestratorState.RUNNING);

            flapOnly(o);

            closeWhileTheAgentHangs(o);
        } finally {
            stopRequests = true;
            requestBudget.release(1_000_000);
            o.close();
            plugins.releaseHungCalls();
            for (Thread t : requesters) {
                t.join(BOUND.toMillis());
                assertThat(t.isAlive()).as("request thread %s left blocked", t.getName()).isFalse();
            }
        }
        for (Thread t : plugins.hungThreads) {
            t.join(BOUND.toMillis());
            assertThat(t.isAlive()).as("a hung plug-in call left blocked").isFalse();
        }
        assertThat(violations).isEmpty();
        assertThat(checkedBetweenTicks).as("requests admitted between ticks").hasPositiveValue();
        assertThat(rejected).as("requests held and rejected").hasPositiveValue();
        assertNothingLeaked();
    }

    /** The link flips every tick and nothing else happens: one restart per hour at most, one question per change. */
    private void flapOnly(PlacementOrchestrator o) {
        List<Instant> reconfigurations = new ArrayList<>();
        int linkChanged = 0;
        int otherAgentCalls = 0;
        int maxIntervalCalls = 0;
        for (int i = 0; i < FLAP_TICKS; i++) {
            plugins.plan(false);
            int asked = plugins.decider.calls.get();
            TickOutcome t = tick(o, CHAOS_TICKS + CALM_TICKS + i, FLAP_TICK, true);
            boolean agentCalled = plugins.decider.calls.get() > asked;
            if (t.reconfigured()) {
                reconfigurations.add(t.at());
            }
            if (t.triggers().contains(Trigger.LINK_CHANGED)) {
                linkChanged++;
            } else if (agentCalled && Set.of(Trigger.MAX_INTERVAL).containsAll(t.triggers())) {
                maxIntervalCalls++;
            } else if (agentCalled) {
                otherAgentCalls++;
            }
        }
        assertThat(linkChanged).as("agent calls for the one real change").isEqualTo(1);
        assertThat(otherAgentCalls).as("agent calls for no reason").isZero();
        assertThat(maxIntervalCalls).isLessThanOrEqualTo(4);
        assertThat(reconfigurations).as("the flap made the two-stage placement better once").isNotEmpty()
                .hasSizeLessThanOrEqualTo(2);
        for (int i = 1; i < reconfigurations.size(); i++) {
            assertThat(Duration.between(reconfigurations.get(i - 1), reconfigurations.get(i)))
                    .isGreaterThanOrEqualTo(Duration.ofHours(1));
        }
    }

    /** {@code close()} while a tick hangs in the agent: bounded, and it stops what runs. */
    private void closeWhileTheAgentHangs(PlacementOrchestrator o) throws Exception {
        assertThat(o.running()).isPresent();
        plugins.hanging.drainPermits();
        plugins.planOnly(Call.AGENT, Fault.HANG);
        f.clock.advance(Duration.ofMinutes(31)); // the maximum interval: the agent is asked
        AtomicReference<Object> ended = new AtomicReference<>();
        Thread ticker = new Thread(() -> {
            try {
                ended.set(o.runOnce());
            } catch (RuntimeException e) {
                ended.set(e);
            }
        }, "fault-injection-ticker");
        ticking.incrementAndGet();
        ticker.start();
        assertThat(plugins.hanging.tryAcquire(BOUND.toSeconds(), TimeUnit.SECONDS)).as("the agent hangs").isTrue();

        assertTimeoutPreemptively(BOUND, o::close);
        ticker.join(BOUND.toMillis());

        assertThat(ticker.isAlive()).as("the tick still hangs after close()").isFalse();
        assertThat(ended.get()).isInstanceOf(TickOutcome.class);
        assertThat(((TickOutcome) ended.get()).action()).isEqualTo(Action.FAILED);
        assertThat(o.state()).isEqualTo(OrchestratorState.CLOSED);
        assertThat(o.running()).isEmpty();
        assertThat(o.gate().isPaused()).isTrue();
    }

    private TickOutcome tick(PlacementOrchestrator o, int n, Duration after, boolean flap) {
        if (flap) {
            f.setNode1Node2Rtt(flips++ % 2 == 0 ? 8 : 0.2);
        } else {
            f.setNode1Node2Rtt(0.2);
        }
        f.clock.advance(after);
        requestBudget.release(REQUESTERS);
        ticking.incrementAndGet();
        TickOutcome t;
        try {
            t = o.runOnce();
        } finally {
            ticking.incrementAndGet();
        }
        assertConsistent(o, t, n);
        assertThat(violations).as("after tick %d", n).isEmpty();
        return t;
    }

    private void assertConsistent(PlacementOrchestrator o, TickOutcome t, int n) {
        String at = "tick " + n + " (" + t.action() + ": " + t.reason() + ")";
        OrchestratorState state = o.state();
        assertThat(t.state()).as(at).isEqualTo(state);
        assertThat(state).as(at).isNotEqualTo(OrchestratorState.RECONFIGURING);
        boolean running = state == OrchestratorState.RUNNING;
        assertThat(o.running().isPresent()).as(at).isEqualTo(running);
        assertThat(o.gate().isPaused()).as("paused, " + at).isEqualTo(!running);
        if (running) {
            RunningPipeline p = o.running().orElseThrow();
            assertThat(t.running()).as(at).isEqualTo(p.placement());
            assertThat(plugins.lastInventory).as("the inventory's nodes, " + at)
                    .containsAll(p.placement().nodeIds());
            assertThat(plugins.reportedDead).as("reported dead, " + at).doesNotContain(p.id());
            assertThat(f.sim.isAlive(p)).as("really alive, " + at).isTrue();
        }
        try (RequestGate.Permit permit = o.gate().enter(Duration.ZERO)) {
            assertThat(running).as("admitted, " + at).isTrue();
        } catch (RequestRejectedException e) {
            assertThat(running).as("rejected (%s), %s", e.getMessage(), at).isFalse();
        }
        List<DecisionJournal.Entry> entries = o.journal().entries();
        boolean decided = !t.triggers().isEmpty() && t.action() != Action.NOTHING_CHANGED;
        assertThat(entries.size() - journaled).as("journal lines, " + at).isEqualTo(decided ? 1 : 0);
        if (decided) {
            DecisionJournal.Entry last = entries.get(entries.size() - 1);
            assertThat(last.at()).as(at).isEqualTo(t.at());
            assertThat(last.result().action()).as(at).isEqualTo(t.action());
        }
        journaled = entries.size();
    }

    /**
     * Requests from a few threads, a few per tick: each waits a little at most, and one admitted while no tick
     * ran must be going to a pipeline that really runs.
     */
    private List<Thread> startRequesters(PlacementOrchestrator o) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < REQUESTERS; i++) {
            Random r = new Random(SEED + i);
            Thread t = new Thread(() -> {
                while (!stopRequests) {
                    requestBudget.acquireUninterruptibly();
                    request(o, Duration.ofMillis(r.nextInt(20)), r.nextInt(50));
                }
            }, "fault-injection-request-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    private void request(PlacementOrchestrator o, Duration timeout, int work) {
        long before = ticking.get();
        try (RequestGate.Permit permit = o.gate().enter(timeout)) {
            RunningPipeline to = o.running().orElse(null);
            boolean alive = to != null && f.sim.isAlive(to);
            boolean betweenTicks = ticking.get() == before && before % 2 == 0;
            if (betweenTicks) {
                checkedBetweenTicks.incrementAndGet();
            }
            if (betweenTicks && !alive) {
                violations.add("a request was admitted between ticks to " + (to == null ? "no pipeline"
                        : "the dead pipeline " + to.id()) + " (state " + o.state() + ")");
            }
            for (int i = 0; i < work; i++) {
                Thread.onSpinWait(); // the request's work, holding its permit
            }
        } catch (RequestRejectedException e) {
            rejected.incrementAndGet(); // paused or closed: the caller is told, which is the point
        }
    }

    /** The schedule is worth something only if every kind of fault met every plug-in it applies to. */
    private void assertEveryFaultHappened() {
        for (Call c : Call.values()) {
            String what = c + " faults " + new TreeMap<>(plugins.happened);
            assertThat(plugins.happened(c, Fault.HANG, Fault.HANG_POLITE)).as("hung, " + what).isPositive();
            assertThat(plugins.happened(c, Fault.THROW_RUNTIME, Fault.THROW_ERROR, Fault.THROW_CHECKED))
                    .as("threw, " + what).isPositive();
            assertThat(plugins.happened(c, Fault.RETURN_NULL, Fault.NONSENSE)).as("lied, " + what).isPositive();
        }
        assertThat(plugins.happened(Call.LAUNCH, Fault.SLOW)).as("healthy after the deadline").isPositive();
        assertThat(plugins.happened).containsKeys("FAIL", "RECOVER", "BLIP");
    }

    private void recoverAllNodes() {
        f.sim.failedNodes().forEach(f.sim::recoverNode);
    }

    /**
     * Every pipeline the launcher started was asked to stop (an orphan killed by a node failure counts as
     * leaked too), and none runs but those whose stop the launcher failed.
     */
    private void assertNothingLeaked() {
        for (RunningPipeline p : plugins.started) {
            assertThat(plugins.stopAsked).as("pipeline %s (%s) never asked to stop", p.id(), p.placement())
                    .contains(p.id());
            if (f.sim.isAlive(p)) {
                assertThat(plugins.stopFailed).as("pipeline %s left running", p.id()).contains(p.id());
            }
        }
        assertThat(plugins.started).as("pipelines started").hasSizeGreaterThan(5);
    }
}
