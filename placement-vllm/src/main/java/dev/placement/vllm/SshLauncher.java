package dev.placement.vllm;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.CommandRunner;
import dev.placement.api.CommandRunner.CommandResult;
import dev.placement.api.LaunchException;
import dev.placement.api.NodeSpec;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.PlacementException;
import dev.placement.api.RunningPipeline;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches placements on nodes without a Ray Jobs endpoint, through a {@link CommandRunner} (normally
 * {@link SshCommandRunner}): copies the Python launcher to rank 0's node, starts the Ray head there and joins
 * the other nodes ({@link VllmLaunchPlan#nodeCommands}), then starts the launcher in the background with the
 * plan's environment and waits for vLLM's {@code /health} and {@code /v1/models}. Stop drains, sends SIGTERM,
 * kills after the grace period, and stops Ray on the nodes it started.
 *
 * <p>Several pipelines (replicas) may run at once: each launch takes the lowest port of {@link Builder#portRange}
 * free on rank 0's node, its own submission id (its own log file and placement group) and launcher process; a stop
 * signals that process only, stops Ray only where this launch started it, and frees the port once the process is
 * gone. With {@code startRay}, a launch onto a node where Ray runs for a sibling is refused.
 *
 * <p>Every command is an argument vector; the only shell text is a constant wrapper that backgrounds the
 * launcher, and the values it handles arrive as positional parameters. Thread-safe: running pipelines are
 * kept in a concurrent map.
 */
public final class SshLauncher implements PipelineLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(SshLauncher.class);
    /**
     * Writes argv[2] (base64) to the file argv[1], creating its directory: constant code, data as arguments. The
     * file is replaced atomically, since a replica's launcher may be reading it while another launch installs it.
     */
    static final String INSTALL_SNIPPET = "import base64,os,sys\n"
            + "os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)\n"
            + "part = '%s.%d.part' % (sys.argv[1], os.getpid())\n"
            + "open(part, 'wb').write(base64.b64decode(sys.argv[2]))\n"
            + "os.replace(part, sys.argv[1])\n";
    /** Runs "$@" detached with output to the log "$1" and prints its pid. */
    static final String DETACH = "log=$1; shift; nohup \"$@\" >\"$log\" 2>&1 </dev/null & echo $!";

    private final CommandRunner runner;
    private final VllmOptions options;
    private final String python;
    private final String launcherDirectory;
    private final boolean startRay;
    private final Duration commandTimeout;
    private final VllmEndpoint vllm;
    private final Polling polling;
    private final Duration readyTimeout;
    private final LaunchProgress progress;
    private final Duration drainTimeout;
    private final Duration stopGracePeriod;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final ReplicaPorts ports;
    private final SshRayNodes rayNodes;

    private record Run(NodeSpec head, long pid, String log, List<NodeSpec> rayNodes) {
    }

    private SshLauncher(Builder b) {
        this.runner = b.runner;
        this.options = b.options;
        this.python = b.python;
        this.launcherDirectory = b.launcherDirectory;
        this.startRay = b.startRay;
        this.commandTimeout = b.commandTimeout;
        this.vllm = new VllmEndpoint(b.newHttpClient(), b.requestTimeout);
        this.polling = b.polling();
        this.readyTimeout = b.readyTimeout;
        this.progress = b.progress;
        this.drainTimeout = b.drainTimeout;
        this.stopGracePeriod = b.stopGracePeriod;
        this.ports = b.ports();
        this.rayNodes = new SshRayNodes(runner, commandTimeout);
    }

    /** @return a builder; {@link Builder#runner(CommandRunner)} is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The commands this launcher runs for a placement, without running them.
     *
     * @param placement the placement
     * @param request   the request it was chosen for (model, cluster, max model length)
     * @return per node: the command and its environment, in order; the server on the port range's first port (a
     *         launch takes the lowest port free on rank 0's node)
     */
    public List<VllmLaunchPlan.NodeCommand> commands(Placement placement, PlacementRequest request) {
        List<VllmLaunchPlan.NodeCommand> all = VllmLaunchPlan.create(placement, request, options,
                ports.range().first()).nodeCommands(python, launcherPath());
        return startRay ? all : all.subList(all.size() - 1, all.size());
    }

    /**
     * {@inheritDoc}
     *
     * <p>If the launch fails, what it started is stopped and its port is free again.
     *
     * @throws LaunchException also when every port of the range is held by this launcher's live pipelines on rank
     *                         0's node, or when the launcher starts Ray and a node already runs Ray for another of
     *                         its pipelines
     */
    @Override
    public RunningPipeline launch(Placement placement, PlacementRequest request) {
        return ports.launch(Optional.empty(), placement, request, options,
                plan -> start(plan.withFreshSubmissionId(polling.clock(), sequence), placement, request.cluster()));
    }

    private RunningPipeline start(VllmLaunchPlan plan, Placement placement, ClusterSnapshot cluster) {
        String id = "ssh-" + plan.submissionId();
        List<VllmLaunchPlan.NodeCommand> cmds = plan.nodeCommands(python, launcherPath());
        NodeSpec head = cluster.node(plan.ranks().get(0).nodeId());
        Progress progress = new Progress(this.progress, polling.clock());
        try {
            progress.say("installing the launcher on " + head.id());
            check(head, "installing the launcher", runner.run(head, List.of(python, "-c", INSTALL_SNIPPET,
                    launcherPath(), Base64.getEncoder().encodeToString(LauncherScript.bytes())), commandTimeout));
        } catch (PlacementException e) {
            throw e instanceof LaunchException ? e
                    : new LaunchException("cannot prepare " + placement + ": " + e.getMessage(), e);
        }
        List<NodeSpec> rayStarted = startRay ? rayNodes.start(cmds.subList(0, cmds.size() - 1), cluster, id, progress)
                : List.of();
        RunningPipeline serving = null;
        try {
            serving = serve(plan, cmds.get(cmds.size() - 1), head, rayStarted, progress);
            return serving;
        } finally {
            if (serving == null) {
                rayNodes.stop(rayStarted);
            }
        }
    }

    /** Starts the launcher on rank 0's node and waits until vLLM serves; stops the launcher if it does not. */
    private RunningPipeline serve(VllmLaunchPlan plan, VllmLaunchPlan.NodeCommand server, NodeSpec head,
            List<NodeSpec> rayStarted, Progress progress) {
        Placement placement = plan.placement();
        String log = launcherDirectory + "/" + plan.submissionId() + ".log";
        List<String> detached = new ArrayList<>(List.of("sh", "-c", DETACH, "sh", log, "env"));
        server.environment().forEach((k, v) -> detached.add(k + "=" + v));
        detached.addAll(server.command());
        long pid;
        try {
            CommandResult started = check(head, "starting the launcher", runner.run(head, detached, commandTimeout));
            pid = Long.parseLong(started.stdout().strip());
        } catch (NumberFormatException e) {
            throw new LaunchException("starting the launcher on '" + head.id() + "' printed no process id");
        } catch (PlacementException e) {
            throw e instanceof LaunchException ? e : new LaunchException(e.getMessage(), e);
        }
        Run run = new Run(head, pid, log, rayStarted);
        LOG.info("started the vLLM launcher on {} (pid {}) for placement {}", head.id(), pid, placement);
        progress.say("started the vLLM launcher on " + head.id() + " (pid " + pid + ")");

        URI endpoint = plan.endpoint();
        Instant waitFrom = polling.clock().instant();
        VllmEndpoint.Readiness readiness = vllm.awaitReady(polling, endpoint, readyTimeout, () -> alive(run), progress);
        String reason;
        if (readiness.ready()) {
            Duration left = readyTimeout.minus(Duration.between(waitFrom, polling.clock().instant()));
            Optional<List<String>> ranks = polling.until(left.isNegative() ? Duration.ZERO : left,
                    () -> events(run).verifiedRanks());
            if (ranks.isPresent()) {
                progress.say("ranks verified: " + String.join(", ", ranks.get()));
                progress.say("serving at " + endpoint);
                String id = "ssh-" + plan.submissionId();
                runs.put(id, run);
                return new RunningPipeline(id, placement, endpoint, polling.clock().instant(), ranks.get());
            }
            reason = "vLLM answers, but its log holds no rank report within " + readyTimeout.toSeconds() + " s";
        } else {
            reason = events(run).failure().orElse(readiness.exited() ? "the launcher exited before vLLM was ready"
                    : "not ready within " + readyTimeout.toSeconds() + " s (" + readiness.lastReason() + ")");
        }
        String logTail = tail(run);
        terminate(run);
        throw new LaunchException("placement " + placement + " over SSH on '" + head.id() + "': " + reason
                + "; the launcher was stopped; log " + log + ":\n" + logTail);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Signals only this pipeline's launcher process (its pid on rank 0's node); frees its port once it is gone.
     *
     * @throws LaunchException if the process survives SIGKILL, {@link PlacementException} if rank 0's node cannot
     *                         be reached; the pipeline then keeps its port, and may be stopped again
     */
    @Override
    public void stop(RunningPipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        Run run = runs.remove(pipeline.id());
        if (run == null) {
            return;
        }
        if (!vllm.drain(polling, pipeline.endpoint(), drainTimeout)) {
            LOG.warn("requests still running at {} after {} s; stopping anyway", pipeline.endpoint(),
                    drainTimeout.toSeconds());
        }
        boolean gone = false;
        try {
            terminate(run);
            gone = true;
        } finally {
            rayNodes.stop(run.rayNodes());
            if (gone) {
                ports.releasePipeline(pipeline.id());
            } else {
                runs.put(pipeline.id(), run);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks over SSH that the launcher process on rank 0's node still runs ({@code kill -0 PID}); when it has
     * exited, vLLM has too. A pipeline this launcher did not start, or has stopped, is dead. A node that cannot
     * be reached throws, which the orchestrator reads as "cannot tell".
     *
     * @throws PlacementException if the command cannot be run on the node
     */
    @Override
    public boolean isAlive(RunningPipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        Run run = runs.get(pipeline.id());
        if (run == null) {
            return false;
        }
        boolean alive = alive(run);
        if (!alive) {
            LOG.warn("the vLLM launcher (pid {}) on {} for {} has exited", run.pid(), run.head().id(),
                    pipeline.placement());
        }
        return alive;
    }

    private void terminate(Run run) {
        signal(run, "-TERM");
        Optional<Boolean> gone = polling.until(stopGracePeriod,
                () -> alive(run) ? Optional.empty() : Optional.of(Boolean.TRUE));
        if (gone.isEmpty()) {
            LOG.warn("pid {} on {} ignored SIGTERM for {} s; killing it", run.pid(), run.head().id(),
                    stopGracePeriod.toSeconds());
            signal(run, "-KILL");
            if (alive(run)) {
                throw new LaunchException("the launcher (pid " + run.pid() + ") on '" + run.head().id()
                        + "' survived SIGKILL");
            }
        }
    }

    private void signal(Run run, String signal) {
        runner.run(run.head(), List.of("kill", signal, Long.toString(run.pid())), commandTimeout);
    }

    private boolean alive(Run run) {
        return runner.run(run.head(), List.of("kill", "-0", Long.toString(run.pid())), commandTimeout).exitCode() == 0;
    }

    private String tail(Run run) {
        try {
            return DashboardClient.excerpt(runner.run(run.head(), List.of("tail", "-c", "4000", run.log()),
                    commandTimeout).stdout(), 4000);
        } catch (PlacementException e) {
            return "(log unavailable: " + e.getMessage() + ")";
        }
    }

    /** @return the launcher's events, read with grep from its log on rank 0's node (none if unreadable) */
    private LauncherEvents events(Run run) {
        try {
            return LauncherEvents.in(runner.run(run.head(), List.of("grep", "-a", "-F", LauncherEvents.GREP_PATTERN,
                    run.log()), commandTimeout).stdout());
        } catch (PlacementException e) {
            return LauncherEvents.in("");
        }
    }

    /**
     * @return {@code r} if its exit code is 0
     * @throws LaunchException naming what failed on which node, with its exit code and the end of its output
     */
    static CommandResult check(NodeSpec node, String what, CommandResult r) {
        if (r.exitCode() != 0) {
            throw new LaunchException(what + " on '" + node.id() + "' failed with exit code " + r.exitCode() + ": "
                    + DashboardClient.excerpt(r.stderr().isBlank() ? r.stdout() : r.stderr(), 1000));
        }
        return r;
    }

    private String launcherPath() {
        return launcherDirectory + "/" + VllmLaunchPlan.LAUNCHER_FILE;
    }

    /**
     * Configures an {@link SshLauncher}; not thread-safe. Defaults: readiness polled every 2 s with a 10 s request
     * timeout, start-up within 15 min, draining for at most 60 s, SIGKILL 30 s after SIGTERM.
     */
    public static final class Builder extends LauncherBuilder<Builder> {
        private CommandRunner runner;
        private String python = "python3";
        private String launcherDirectory = "/tmp/placement";
        private boolean startRay = true;
        private Duration commandTimeout = Duration.ofSeconds(60);

        private Builder() {
            super(Duration.ofSeconds(2), Duration.ofSeconds(10));
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @param runner runs commands on the nodes, normally an {@link SshCommandRunner}
         * @return this builder
         */
        public Builder runner(CommandRunner runner) {
            this.runner = Objects.requireNonNull(runner, "runner");
            return this;
        }

        /**
         * @param python the Python executable on the nodes (with Ray and vLLM installed); default python3
         * @return this builder
         */
        public Builder python(String python) {
            if (python == null || !python.matches("[A-Za-z0-9._/+-]{1,200}")) {
                throw new IllegalArgumentException("python executable '" + python + "' has unsafe characters");
            }
            this.python = python;
            return this;
        }

        /**
         * @param dir an absolute directory on rank 0's node for the launcher and its logs; default
         *            {@code /tmp/placement}
         * @return this builder
         */
        public Builder launcherDirectory(String dir) {
            this.launcherDirectory = RemoteValues.requireAbsolutePath(dir, "launcherDirectory");
            return this;
        }

        /**
         * @param startRay whether to start (and later stop) Ray on the placement's nodes; false when a Ray cluster
         *                 already runs there; default true
         * @return this builder
         */
        public Builder startRay(boolean startRay) {
            this.startRay = startRay;
            return this;
        }

        /**
         * @param timeout for each remote command; default 60 s
         * @return this builder
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = Polling.requirePositive(timeout, "commandTimeout");
            return this;
        }

        /**
         * @return the launcher
         * @throws IllegalStateException if no runner was given
         */
        public SshLauncher build() {
            if (runner == null) {
                throw new IllegalStateException("SshLauncher needs a CommandRunner");
            }
            return new SshLauncher(this);
        }
    }
}
