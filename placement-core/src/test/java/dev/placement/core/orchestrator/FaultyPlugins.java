package dev.placement.core.orchestrator;

import dev.placement.api.ClusterInventory;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.LatencyProbe;
import dev.placement.api.MetricsSample;
import dev.placement.api.MetricsSource;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.sim.SimulatedCluster;
import java.io.IOException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The plug-ins of {@link FaultInjectionTest}, misbehaving as a per-tick {@link #plan plan} says, over a
 * simulated cluster that is the ground truth: which nodes are up and which pipelines really run.
 *
 * <p>Each plug-in's fault applies to its first call in the tick, then it behaves until the next plan. A hung
 * call blocks (ignoring interrupts if hostile) until {@link #releaseHungCalls()} and then throws without side
 * effects, so an abandoned call never changes the truth behind the orchestrator's back; the one exception is
 * {@link Fault#SLOW} (a launch that becomes healthy after its deadline), which is the point of that fault.
 *
 * <p>Node failures are applied inside an inventory call that answers, so the orchestrator is always told
 * (a node it sees gone, or the launcher's honest health check after a failure and return between ticks): a
 * pipeline that dies is then always one the orchestrator could know about.
 */
final class FaultyPlugins {
    /** The plug-in calls a fault can be planned for. */
    enum Call { INVENTORY, PROBE, HEALTH, METRICS, AGENT, LAUNCH, STOP }

    /** What a call does instead of its job. */
    enum Fault { NONE, HANG, HANG_POLITE, THROW_RUNTIME, THROW_ERROR, THROW_CHECKED, RETURN_NULL, NONSENSE, SLOW }

    /** A change of the cluster applied during the next inventory call that answers. */
    enum NodeEvent { NONE, FAIL, RECOVER, BLIP }

    /**
     * How likely each call is to misbehave on a tick. The inventory, probe, health check and metrics source
     * are called every tick, the rest only when the loop decides or switches, so those misbehave more often.
     */
    private static final Map<Call, Double> FAULT_RATE = Map.of(Call.INVENTORY, 0.1, Call.PROBE, 0.1,
            Call.HEALTH, 0.2, Call.METRICS, 0.12, Call.AGENT, 0.2, Call.LAUNCH, 0.45, Call.STOP, 0.45);
    private static final Set<Call> EVERY_TICK = EnumSet.of(Call.INVENTORY, Call.PROBE, Call.HEALTH, Call.METRICS);
    private static final List<Fault> THROWN = List.of(Fault.THROW_RUNTIME, Fault.THROW_ERROR, Fault.THROW_CHECKED);

    final SimulatedCluster sim;
    final LoopFixture.CandidateAgent decider = new LoopFixture.CandidateAgent();
    private final Random random;
    private final Map<Call, Fault> faults = new EnumMap<>(Call.class);
    private NodeEvent event = NodeEvent.NONE;
    private String eventNode;

    /** Never counted down until the end: what hung calls wait for. */
    private final CountDownLatch release = new CountDownLatch(1);
    /** A permit for every call that started to hang. */
    final Semaphore hanging = new Semaphore(0);
    final Queue<Thread> hungThreads = new ConcurrentLinkedQueue<>();

    /** How often each fault ("LAUNCH SLOW") and node event ("BLIP") really happened. */
    final Map<String, Integer> happened = new ConcurrentHashMap<>();

    /** @return how often a fault of one of {@code kinds} really happened to {@code call} */
    int happened(Call call, Fault... kinds) {
        int n = 0;
        for (Fault k : kinds) {
            n += happened.getOrDefault(call + " " + k, 0);
        }
        return n;
    }
    /** Every pipeline the launcher really started. */
    final Queue<RunningPipeline> started = new ConcurrentLinkedQueue<>();
    /** Pipelines a stop was asked for. */
    final Set<String> stopAsked = ConcurrentHashMap.newKeySet();
    /** Pipelines a stop was asked for and not done (it hung, threw, or lied). */
    final Set<String> stopFailed = ConcurrentHashMap.newKeySet();
    /** Pipelines the health check reported dead to the orchestrator. */
    final Set<String> reportedDead = ConcurrentHashMap.newKeySet();
    /** The node ids of the last snapshot the inventory answered with. */
    volatile List<String> lastInventory = List.of();

    FaultyPlugins(SimulatedCluster sim, long seed) {
        this.sim = sim;
        this.random = new Random(seed);
    }

    /** Plans the next tick: with {@code chaos} off every plug-in behaves and the cluster stays as it is. */
    synchronized void plan(boolean chaos) {
        faults.clear();
        event = NodeEvent.NONE;
        if (!chaos) {
            return;
        }
        for (Call c : Call.values()) {
            if (random.nextDouble() < FAULT_RATE.get(c)) {
                double kind = random.nextDouble();
                // Hangs cost a deadline each: rarer on the calls made every tick than on the agent and launcher.
                double hang = EVERY_TICK.contains(c) ? 0.04 : 0.08;
                faults.put(c, kind < hang ? Fault.HANG : kind < 2 * hang ? Fault.HANG_POLITE
                        : c == Call.LAUNCH && kind < 0.35 ? Fault.SLOW
                        : random.nextBoolean() ? THROWN.get(random.nextInt(THROWN.size()))
                        : random.nextBoolean() ? Fault.RETURN_NULL : Fault.NONSENSE);
            }
        }
        double e = random.nextDouble();
        eventNode = List.of("node0", "node1", "node2", "node2").get(random.nextInt(4));
        event = e < 0.1 ? NodeEvent.FAIL : e < 0.25 ? NodeEvent.RECOVER : e < 0.32 ? NodeEvent.BLIP : NodeEvent.NONE;
        if (event == NodeEvent.BLIP && (fault(Call.PROBE) != Fault.NONE || fault(Call.HEALTH) != Fault.NONE)) {
            // Without an honest probe and health check the orchestrator cannot learn of a pipeline that died
            // while its node came back: nothing could tell it, so that is not a fault it can be judged on.
            event = NodeEvent.NONE;
        }
    }

    /** Plans one fault for the next tick and nothing else. */
    synchronized void planOnly(Call call, Fault fault) {
        plan(false);
        faults.put(call, fault);
    }

    private synchronized Fault fault(Call c) {
        return faults.getOrDefault(c, Fault.NONE);
    }

    private synchronized Fault take(Call c) {
        Fault f = faults.getOrDefault(c, Fault.NONE);
        faults.remove(c);
        if (f != Fault.NONE) {
            happened.merge(c + " " + f, 1, Integer::sum);
        }
        return f;
    }

    private synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Ends every hung call (each then throws). */
    void releaseHungCalls() {
        release.countDown();
    }

    /** Takes {@code call}'s fault for this tick and hangs or throws if it says so; @return the fault */
    private Fault act(Call call, String what) {
        Fault f = take(call);
        misbehave(f, what);
        return f;
    }

    /** Hangs or throws as {@code f} says; returns only for the faults the caller handles itself. */
    private void misbehave(Fault f, String what) {
        switch (f) {
            case HANG, HANG_POLITE -> {
                hungThreads.add(Thread.currentThread());
                hanging.release();
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        if (f == Fault.HANG_POLITE) {
                            break;
                        }
                        // hostile: ignores the interrupt and keeps hanging
                    }
                }
                throw new IllegalStateException(what + " hung and was released");
            }
            case THROW_RUNTIME -> throw new IllegalStateException(what + " broke");
            case THROW_ERROR -> throw new AssertionError(what + " has a bug");
            case THROW_CHECKED -> throw LoopFaultsTest.<RuntimeException>sneaky(nextInt(2) == 0
                    ? new IOException(what + ": connection reset") : new TimeoutException(what + " timed out"));
            default -> { }
        }
    }

    // ------------------------------------------------------------------------------------------ the plug-ins

    final ClusterInventory inventory = this::snapshot;
    final LatencyProbe probe = this::measure;
    final MetricsSource metrics = this::sample;

    private ClusterSnapshot snapshot() {
        Fault f = act(Call.INVENTORY, "inventory");
        if (f == Fault.RETURN_NULL) {
            return null;
        }
        ClusterSnapshot s;
        if (f == Fault.NONSENSE) {
            // an empty cluster, or a stale one that still lists the nodes that are down
            s = nextInt(2) == 0 ? new ClusterSnapshot(List.of())
                    : new ClusterSnapshot(dev.placement.sim.ResearchTestbed.NODES);
        } else {
            applyEvent();
            s = sim.snapshot();
        }
        lastInventory = s.nodeIds();
        return s;
    }

    private void applyEvent() {
        NodeEvent e;
        String node;
        synchronized (this) {
            e = event;
            node = eventNode;
            event = NodeEvent.NONE;
        }
        boolean down = sim.failedNodes().contains(node);
        if (e != NodeEvent.NONE && down == (e == NodeEvent.RECOVER)) {
            happened.merge(e.name(), 1, Integer::sum);
        }
        switch (e) {
            case FAIL -> {
                if (!down) {
                    sim.failNode(node);
                }
            }
            case RECOVER -> {
                if (down) {
                    sim.recoverNode(node);
                }
            }
            case BLIP -> {
                if (!down) {
                    sim.failNode(node);
                    sim.recoverNode(node);
                }
            }
            default -> { }
        }
    }

    private ConnectivityMap measure(ClusterSnapshot cluster) {
        Fault f = act(Call.PROBE, "probe");
        if (f == Fault.RETURN_NULL) {
            return null;
        }
        ConnectivityMap measured = sim.measure(cluster);
        if (f != Fault.NONSENSE) {
            return measured;
        }
        return switch (nextInt(3)) {
            case 0 -> { // every node unreachable
                ConnectivityMap.Builder b = ConnectivityMap.builder();
                cluster.nodeIds().forEach(b::unreachable);
                yield b.build();
            }
            case 1 -> measured.toBuilder().link("node1", "node2", 1e6).build(); // an absurd RTT
            default -> ConnectivityMap.builder().link("node0", "ghost", 0.1).build(); // a node that does not exist
        };
    }

    private Optional<MetricsSample> sample(RunningPipeline pipeline) {
        Fault f = act(Call.METRICS, "metrics source");
        if (f == Fault.RETURN_NULL) {
            return null;
        }
        return f == Fault.NONSENSE ? Optional.empty() : sim.sample(pipeline);
    }

    final PlacementAgent agent = new PlacementAgent() {
        @Override
        public String name() {
            return "faulty";
        }

        @Override
        public PlacementDecision decide(PlacementRequest request) {
            Fault f = act(Call.AGENT, "agent");
            if (f == Fault.RETURN_NULL) {
                return null;
            }
            PlacementDecision d = decider.decide(request);
            if (f != Fault.NONSENSE) {
                return new PlacementDecision(d.placement(), name(), d.rationale(), d.predicted(), null);
            }
            Set<String> down = sim.failedNodes();
            Placement nonsense = switch (nextInt(3)) {
                case 0 -> Placement.parse("node0:10,node1:10"); // does not cover the model's layers
                case 1 -> Placement.parse("node0:20,ghost:20"); // a node that does not exist
                default -> Placement.parse("node0:20," + (down.isEmpty() ? "node9" : down.iterator().next()) + ":20");
            };
            return new PlacementDecision(nonsense, name(), "trust me", d.predicted(), null);
        }
    };

    final PipelineLauncher launcher = new PipelineLauncher() {
        @Override
        public RunningPipeline launch(Placement placement, PlacementRequest request) {
            Fault f = take(Call.LAUNCH);
            if (f == Fault.SLOW) {
                // Becomes healthy only after the orchestrator gave up on it (it is interrupted then).
                try {
                    release.await();
                } catch (InterruptedException e) {
                    // the deadline passed: the launch goes on regardless
                }
            }
            misbehave(f, "launcher");
            if (f == Fault.RETURN_NULL) {
                return null;
            }
            Placement what = f != Fault.NONSENSE ? placement
                    : placement.equals(LoopFixture.TWO) ? LoopFixture.THREE : LoopFixture.TWO;
            RunningPipeline p = sim.launch(what, request);
            started.add(p);
            return p;
        }

        @Override
        public void stop(RunningPipeline pipeline) {
            stopAsked.add(pipeline.id());
            Fault f = take(Call.STOP);
            if (f != Fault.NONE && f != Fault.RETURN_NULL) {
                stopFailed.add(pipeline.id());
            }
            misbehave(f, "stop");
            if (f != Fault.NONSENSE) { // nonsense: says it stopped and did nothing
                sim.stop(pipeline);
            }
        }

        @Override
        public boolean isAlive(RunningPipeline pipeline) {
            Fault f = act(Call.HEALTH, "health check");
            // nonsense: "alive" whatever runs; null: "dead" for a pipeline that may well run
            boolean alive = f == Fault.NONSENSE || f != Fault.RETURN_NULL && sim.isAlive(pipeline);
            if (!alive) {
                reportedDead.add(pipeline.id());
            }
            return alive;
        }
    };
}
