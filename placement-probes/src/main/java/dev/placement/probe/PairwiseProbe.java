package dev.placement.probe;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.CommandRunner;
import dev.placement.api.CommandRunner.CommandResult;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.LatencyProbe;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures true node-to-node RTTs: runs {@code ping} on each node, through a {@link CommandRunner} (SSH on a
 * real cluster), against every other node, and fills the full matrix of ordered pairs.
 *
 * <p>A pair whose ping gets no reply is left absent (unknown). A node on which no command can be run, or
 * that no other node reaches, is reported in {@link ConnectivityMap#unreachableNodes()}. A node that lacks the
 * {@code ping} program is an error, not an unreachable node, since measuring silently less would mislead.
 *
 * <p>Immutable and thread-safe if the runner is; {@link #measure} runs n × (n − 1) commands, each bounded by
 * ping's own deadline: one node's pings one after another, {@link Builder#parallelism(int) several nodes} at
 * once (the runner must then be thread-safe, as the SSH runner is).
 */
public final class PairwiseProbe implements LatencyProbe {
    private final CommandRunner runner;
    private final PingCommand command;
    private final Clock clock;
    private final int parallelism;

    private PairwiseProbe(Builder b) {
        this.runner = b.runner;
        this.parallelism = b.parallelism;
        this.command = new PingCommand(b.program, b.count, b.replyTimeout);
        this.clock = b.clock;
    }

    /**
     * @param runner runs commands on the nodes; not null
     * @return a builder: program {@code ping}, 3 echo requests, 1 s reply timeout, system UTC clock
     */
    public static Builder builder(CommandRunner runner) {
        return new Builder(Objects.requireNonNull(runner, "runner"));
    }

    /**
     * Pings every node from every other node.
     *
     * @param cluster the nodes
     * @return RTTs in milliseconds per ordered pair
     * @throws PlacementException if a node has no {@code ping} program
     */
    @Override
    public ConnectivityMap measure(ClusterSnapshot cluster) {
        Objects.requireNonNull(cluster, "cluster");
        ConnectivityMap.Builder map = ConnectivityMap.builder().measuredAt(clock.instant());
        List<FromNode> results = pingFromEveryNode(cluster);
        Set<String> cannotRun = new HashSet<>();
        Set<String> reached = new HashSet<>();
        for (FromNode r : results) {
            if (r.cannotRun()) {
                cannotRun.add(r.from());
            }
            r.rttMillis().forEach((to, rtt) -> {
                map.rtt(r.from(), to, rtt);
                reached.add(to);
            });
        }
        long runnable = cluster.nodes().size() - cannotRun.size();
        for (NodeSpec node : cluster.nodes()) {
            boolean ran = !cannotRun.contains(node.id());
            // Unreachable: nothing runs on it, or some other node could ping it and none got a reply.
            boolean othersCouldPing = runnable - (ran ? 1 : 0) > 0;
            if (!ran || (othersCouldPing && !reached.contains(node.id()))) {
                map.unreachable(node.id());
            }
        }
        return map.build();
    }

    /** What one node measured: RTT per target, or that nothing could be run on it. */
    private record FromNode(String from, Map<String, Double> rttMillis, boolean cannotRun) {
    }

    private List<FromNode> pingFromEveryNode(ClusterSnapshot cluster) {
        List<Callable<FromNode>> tasks = cluster.nodes().stream()
                .<Callable<FromNode>>map(from -> () -> pingFrom(from, cluster)).toList();
        if (parallelism == 1 || tasks.size() <= 1) {
            List<FromNode> out = new ArrayList<>();
            for (Callable<FromNode> t : tasks) {
                out.add(call(t));
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, tasks.size()), r -> {
            Thread t = new Thread(r, "placement-pairwise-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<FromNode> out = new ArrayList<>();
            for (Future<FromNode> f : pool.invokeAll(tasks)) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re
                            : new PlacementException("pairwise probe failed: " + e.getCause(), e.getCause());
                }
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlacementException("interrupted while measuring node-to-node latency", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static FromNode call(Callable<FromNode> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new PlacementException("pairwise probe failed: " + e.getMessage(), e);
        }
    }

    private FromNode pingFrom(NodeSpec from, ClusterSnapshot cluster) {
        Map<String, Double> rtts = new LinkedHashMap<>();
        for (NodeSpec to : cluster.nodes()) {
            if (from.equals(to)) {
                continue;
            }
            CommandResult result;
            try {
                result = runner.run(from, command.argv(to.address()), command.processTimeout());
            } catch (PlacementException e) {
                return new FromNode(from.id(), Map.of(), true);
            }
            requirePing(from, result);
            OptionalDouble rtt = PingOutput.parse(result.stdout()).medianMillis();
            if (rtt.isPresent()) {
                rtts.put(to.id(), rtt.getAsDouble());
            }
        }
        return new FromNode(from.id(), rtts, false);
    }

    private void requirePing(NodeSpec node, CommandResult result) {
        // iputils exits 1 when no reply came and 2 on other errors; a shell reports 127 for a missing program.
        String err = result.stderr().toLowerCase(java.util.Locale.ROOT);
        if (result.exitCode() == 127 || err.contains("command not found") || err.contains("no such file")) {
            throw new PlacementException("node '" + node.id() + "' cannot run '" + command.program()
                    + "' (exit code " + result.exitCode() + ": " + result.stderr().strip()
                    + "); install iputils-ping on it or set the program with PairwiseProbe.builder(...).program(...)");
        }
        String problem = PingOutput.permissionProblem(result.stderr());
        if (problem != null) {
            throw new PlacementException("node '" + node.id() + "' may not send ICMP with '" + command.program()
                    + "' (" + problem + "); allow it there (sysctl net.ipv4.ping_group_range, or setcap cap_net_raw+ep"
                    + " on ping)");
        }
    }

    /** Configures a {@link PairwiseProbe}; not thread-safe. */
    public static final class Builder extends ProbeBuilder<Builder> {
        private final CommandRunner runner;
        private String program = "ping";
        private int count = 3;
        private Duration replyTimeout = Duration.ofSeconds(1);
        private int parallelism = 4;

        private Builder(CommandRunner runner) {
            this.runner = runner;
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @param program the ping program on the nodes; default {@code ping}
         * @return this builder
         */
        public Builder program(String program) {
            this.program = Objects.requireNonNull(program, "program");
            return this;
        }

        /**
         * @param count echo requests per pair, 1 to 100; the median reply is kept; default 3
         * @return this builder
         */
        public Builder count(int count) {
            this.count = count;
            return this;
        }

        /**
         * @param timeout how long to wait for each reply, whole seconds, at least 1 s; default 1 s
         * @return this builder
         */
        public Builder replyTimeout(Duration timeout) {
            this.replyTimeout = Objects.requireNonNull(timeout, "replyTimeout");
            return this;
        }

        /**
         * @param nodes how many nodes ping at the same time, 1 to 64; default 4 (1 runs everything on the
         *              calling thread)
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder parallelism(int nodes) {
            if (nodes < 1 || nodes > 64) {
                throw new IllegalArgumentException("parallelism must be 1 to 64, was " + nodes);
            }
            this.parallelism = nodes;
            return this;
        }

        /**
         * @return the probe
         * @throws IllegalArgumentException if the count or timeout is out of range
         */
        public PairwiseProbe build() {
            return new PairwiseProbe(this);
        }
    }
}
