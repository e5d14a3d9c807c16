package dev.placement.vllm;

import dev.placement.api.LaunchException;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs vLLM as a local process (single host, for development): {@code vllm serve} with the plan's arguments
 * and environment, output to a log file, ready once {@code /health} and {@code /v1/models} answer on
 * {@code 127.0.0.1}. Stop drains, sends SIGTERM, and kills after the grace period.
 *
 * <p>Several pipelines (replicas) may run at once: each launch takes the lowest port of the builder's
 * {@link Builder#portRange} that none of this launcher's live pipelines holds, its own log file, and its own
 * process; a stop signals that process and its descendants only, and frees its port once it has exited.
 *
 * <p>Thread-safe: the started processes are kept in a concurrent map keyed by pipeline id, the ports in a
 * synchronized allocator.
 */
public final class LocalProcessLauncher implements PipelineLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessLauncher.class);
    private static final int LOG_TAIL_CHARS = 4000;

    private final VllmOptions options;
    private final Function<VllmLaunchPlan, List<String>> command;
    private final String host;
    private final Path logDirectory;
    private final VllmEndpoint vllm;
    private final Polling polling;
    private final Duration readyTimeout;
    private final LaunchProgress progress;
    private final Duration drainTimeout;
    private final Duration stopGracePeriod;
    private final Map<String, Started> running = new ConcurrentHashMap<>();
    private final ReplicaPorts ports;

    private record Started(Process process, Path log) {
    }

    private LocalProcessLauncher(Builder b) {
        this.options = b.options;
        this.command = b.command;
        this.host = b.host;
        this.logDirectory = b.logDirectory;
        this.vllm = new VllmEndpoint(b.newHttpClient(), b.requestTimeout);
        this.polling = b.polling();
        this.readyTimeout = b.readyTimeout;
        this.progress = b.progress;
        this.drainTimeout = b.drainTimeout;
        this.stopGracePeriod = b.stopGracePeriod;
        this.ports = b.ports();
    }

    /** @return a builder that runs {@code vllm serve} from the PATH */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * <p>If the process exits before it is ready, or the ready timeout passes, the message carries the exit
     * code or the reason and the end of its log, and the process has been killed; its port is free again.
     *
     * @throws LaunchException also when every port of the range is held by this launcher's live pipelines
     */
    @Override
    public RunningPipeline launch(Placement placement, PlacementRequest request) {
        return ports.launch(Optional.of(host), placement, request, options, plan -> start(plan, placement));
    }

    private RunningPipeline start(VllmLaunchPlan plan, Placement placement) {
        List<String> argv = List.copyOf(command.apply(plan));
        if (argv.isEmpty()) {
            throw new LaunchException("the local command for " + placement + " is empty");
        }
        Progress progress = new Progress(this.progress, polling.clock());
        Path log;
        Process process;
        try {
            Files.createDirectories(logDirectory);
            log = Files.createTempFile(logDirectory, "placement-vllm-", ".log");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(plan.environment());
            process = pb.start();
        } catch (IOException e) {
            throw new LaunchException("cannot start '" + argv.get(0) + "' for " + placement + ": " + e.getMessage(), e);
        }
        String id = "local-" + process.pid();
        URI endpoint = URI.create("http://" + RemoteValues.hostForUri(host) + ":" + plan.endpoint().getPort());
        LOG.info("started {} (pid {}) for placement {}, log {}", argv.get(0), process.pid(), placement, log);
        progress.say("started " + argv.get(0) + " (pid " + process.pid() + "), log " + log);
        VllmEndpoint.Readiness readiness = vllm.awaitReady(polling, endpoint, readyTimeout, process::isAlive, progress);
        if (readiness.ready()) {
            progress.say("serving at " + endpoint);
            running.put(id, new Started(process, log));
            return new RunningPipeline(id, placement, endpoint, polling.clock().instant());
        }
        String reason;
        if (readiness.exited()) {
            reason = "the process exited with code " + waitExit(process) + " before it was ready";
        } else {
            kill(process);
            reason = "not ready within " + readyTimeout.toSeconds() + " s (" + readiness.lastReason()
                    + "); the process was killed";
        }
        throw new LaunchException("local vLLM for " + placement + ": " + reason + "; log " + log + ":\n"
                + tail(log));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only this pipeline's process (and its descendants, if it must be killed) is signalled; its port is free
     * for the next launch once the process has exited.
     *
     * @throws LaunchException if the process survives SIGKILL (practically never); the pipeline then stays this
     *                         launcher's, holding its port, and may be stopped again
     */
    @Override
    public void stop(RunningPipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        Started s = running.remove(pipeline.id());
        if (s == null) {
            return;
        }
        try {
            terminate(pipeline, s);
        } catch (RuntimeException e) {
            running.put(pipeline.id(), s);
            throw e;
        }
        ports.releasePipeline(pipeline.id());
    }

    private void terminate(RunningPipeline pipeline, Started s) {
        if (!s.process().isAlive()) {
            return;
        }
        if (!vllm.drain(polling, pipeline.endpoint(), drainTimeout)) {
            LOG.warn("requests still running at {} after {} s; stopping anyway", pipeline.endpoint(),
                    drainTimeout.toSeconds());
        }
        s.process().destroy();
        if (!waitFor(s.process(), stopGracePeriod)) {
            LOG.warn("pid {} ignored SIGTERM for {} s; killing it", s.process().pid(), stopGracePeriod.toSeconds());
            kill(s.process());
        }
        if (s.process().isAlive()) {
            throw new LaunchException("local vLLM pid " + s.process().pid() + " is still alive after SIGKILL");
        }
    }

    /**
     * Whether the vLLM process this launcher started for a pipeline is still alive: a process that exited (it
     * crashed, was killed, or was stopped) is a dead pipeline, which the orchestrator stops admitting requests to
     * and launches again.
     *
     * @param pipeline a pipeline this launcher started; not null
     * @return false once its process has exited, or when this launcher did not start it (or stopped it)
     */
    @Override
    public boolean isAlive(RunningPipeline pipeline) {
        Started s = running.get(pipeline.id());
        return s != null && s.process().isAlive();
    }

    private static boolean waitFor(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        waitFor(p, Duration.ofSeconds(10));
    }

    private static int waitExit(Process p) {
        waitFor(p, Duration.ofSeconds(5));
        return p.isAlive() ? -1 : p.exitValue();
    }

    private static String tail(Path log) {
        try {
            return DashboardClient.excerpt(Files.readString(log, StandardCharsets.UTF_8), LOG_TAIL_CHARS);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * Configures a {@link LocalProcessLauncher}; not thread-safe. Defaults: readiness polled every 1 s with a 5 s
     * request timeout, start-up within 15 min, draining for at most 60 s, SIGKILL 30 s after SIGTERM.
     */
    public static final class Builder extends LauncherBuilder<Builder> {
        private Function<VllmLaunchPlan, List<String>> command = VllmLaunchPlan::serverCommand;
        private String host = "127.0.0.1";
        private Path logDirectory = Path.of(System.getProperty("java.io.tmpdir"));

        private Builder() {
            super(Duration.ofSeconds(1), Duration.ofSeconds(5));
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @param command turns the plan into the argument vector to run; default {@code vllm serve ...}
         *                ({@link VllmLaunchPlan#serverCommand()}); the plan's environment is always set
         * @return this builder
         */
        public Builder command(Function<VllmLaunchPlan, List<String>> command) {
            this.command = Objects.requireNonNull(command, "command");
            return this;
        }

        /**
         * @param host where the server is reached; default {@code 127.0.0.1}
         * @return this builder
         */
        public Builder host(String host) {
            this.host = RemoteValues.requireAddress(host, "local");
            return this;
        }

        /**
         * @param dir where process logs are written; default the system temp directory
         * @return this builder
         */
        public Builder logDirectory(Path dir) {
            this.logDirectory = Objects.requireNonNull(dir, "logDirectory");
            return this;
        }

        /** @return the launcher */
        public LocalProcessLauncher build() {
            return new LocalProcessLauncher(this);
        }
    }
}
