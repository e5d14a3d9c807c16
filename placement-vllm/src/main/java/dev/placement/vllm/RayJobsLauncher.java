package dev.placement.vllm;

import dev.placement.api.LaunchException;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.PlacementException;
import dev.placement.api.RunningPipeline;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches placements on a Ray cluster through the Ray Jobs REST API of its dashboard (default port 8265):
 * uploads the Python launcher as the job's working directory, submits it with a fresh submission id and
 * metadata naming the placement, waits until vLLM's {@code /health} and {@code /v1/models} on rank 0's node
 * answer and the job's logs hold the launcher's rank report (each rank on its planned node), and stops it by
 * draining, {@code POST /api/jobs/{id}/stop}, and waiting out a grace period; an ended job it stopped is then
 * deleted from Ray's job list unless {@link Builder#keepStoppedJobs(boolean)}. {@link #preflight} checks the
 * cluster for a launch without starting vLLM.
 *
 * <p>Several pipelines (replicas) may run at once, each its own Ray job: a fresh submission id, so its own
 * placement group (named after it) pinned to its nodes, and the lowest port of {@link Builder#portRange} that none
 * of this launcher's live pipelines holds on rank 0's node (where the job's OpenAI server runs, wherever Ray puts
 * the job's driver). A stop addresses that job's id only and frees the port once the job has ended.
 *
 * <p>Thread-safe: the only per-launch state is the port leases, in a synchronized allocator; concurrent launches
 * get distinct submission ids and, on one host, distinct ports.
 * Authentication headers (a bearer token) are sent on every dashboard request and never logged or printed.
 */
public final class RayJobsLauncher implements PipelineLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(RayJobsLauncher.class);
    /** The statuses of a job that has ended. */
    static final Set<String> TERMINAL = Set.of("STOPPED", "SUCCEEDED", "FAILED");

    private final DashboardClient dashboard;
    private final VllmEndpoint vllm;
    private final VllmOptions options;
    private final Polling polling;
    private final Duration readyTimeout;
    private final Duration drainTimeout;
    private final Duration stopGracePeriod;
    private final RayJobCleanup cleanup;
    private final LaunchProgress progress;
    private final AtomicLong sequence = new AtomicLong();
    private final LauncherPackage launcherPackage;
    private final RayJobLogs jobLogs;
    private final RayPreflight preflight;
    private final ReplicaPorts ports;

    private RayJobsLauncher(Builder b) {
        HttpClient http = b.httpClient != null ? b.httpClient : b.newHttpClient();
        this.dashboard = new DashboardClient(b.dashboard, http, b.headers, b.requestTimeout);
        this.launcherPackage = new LauncherPackage(dashboard);
        this.jobLogs = new RayJobLogs(dashboard);
        this.vllm = new VllmEndpoint(http, b.requestTimeout);
        this.options = b.options;
        this.polling = b.polling();
        this.readyTimeout = b.readyTimeout;
        this.drainTimeout = b.drainTimeout;
        this.stopGracePeriod = b.stopGracePeriod;
        this.cleanup = new RayJobCleanup(dashboard, polling, stopGracePeriod, b.keepStoppedJobs);
        this.progress = b.progress;
        this.preflight = new RayPreflight(dashboard, launcherPackage, jobLogs, cleanup, polling, b.preflightTimeout);
        this.ports = b.ports();
    }

    /** @return a builder; {@link Builder#dashboard(URI)} is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The plan this launcher would submit for a placement, without contacting the cluster.
     *
     * @param placement the placement
     * @param request   the request it was chosen for (model, cluster, max model length)
     * @return the plan, serving on the port range's first port (a launch takes the lowest port free on rank 0's
     *         node)
     * @throws IllegalArgumentException if the placement does not fit the model or cluster
     */
    public VllmLaunchPlan plan(Placement placement, PlacementRequest request) {
        return VllmLaunchPlan.create(placement, request, options, ports.range().first());
    }

    /**
     * Checks the cluster for a launch of this placement without starting vLLM: submits a short Ray job
     * ({@code preflight.py}) with the launch's runtime environment that reports, for each planned node, Ray's and
     * vLLM's versions, its GPUs with their free memory, the IP Ray registered, and whether every other planned
     * node's Ray port opens from it; then decides what would block the launch. The job is deleted once read,
     * unless stopped jobs are kept. Phases are told to the builder's progress listener.
     *
     * @param placement the placement a launch would run
     * @param request   the request it was chosen for (model, cluster, max model length)
     * @return the report; {@link PreflightReport#blocked()} says whether the launch would fail
     * @throws LaunchException if the placement cannot be planned, or the job cannot be submitted, does not end
     *                         within the preflight timeout, or ends without a report
     */
    public PreflightReport preflight(Placement placement, PlacementRequest request) {
        VllmLaunchPlan plan = VllmLaunchPlan.createForLaunch(placement, request, options, ports.range().first())
                .withFreshSubmissionId(polling.clock(), sequence);
        return preflight.run(plan, request.cluster(), new Progress(progress, polling.clock()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Submits the job, then polls its status and vLLM's readiness until ready or the ready timeout. If the
     * job ends first, or the timeout passes, the job's logs are fetched into the message, the job is stopped,
     * and a {@link LaunchException} is thrown; the port is free again.
     *
     * @throws LaunchException also when every port of the range is held by this launcher's live pipelines on rank
     *                         0's node
     */
    @Override
    public RunningPipeline launch(Placement placement, PlacementRequest request) {
        return ports.launch(Optional.empty(), placement, request, options,
                plan -> start(plan.withFreshSubmissionId(polling.clock(), sequence), placement));
    }

    private RunningPipeline start(VllmLaunchPlan plan, Placement placement) {
        String id = plan.submissionId();
        Progress progress = new Progress(this.progress, polling.clock());
        progress.say("submitting Ray job " + id + " to " + dashboard.base());
        launcherPackage.submit(plan.rayJobSubmission(), placement.toString());
        LOG.info("submitted Ray job {} for placement {} (partition {})", id, placement, placement.layerPartition());
        progress.say("submitted Ray job " + id);

        URI endpoint = plan.endpoint();
        AtomicReference<String> lastState = new AtomicReference<>("not polled");
        AtomicReference<List<String>> verified = new AtomicReference<>();
        Optional<String> outcome;
        try {
            outcome = polling.until(readyTimeout, () -> {
                String status = jobLogs.status(id).orElse("DOES_NOT_EXIST");
                if (TERMINAL.contains(status)) {
                    return Optional.of("ended:" + status);
                }
                if (!"RUNNING".equals(status)) {
                    lastState.set("job " + status);
                    progress.say("Ray job " + id + " is " + status);
                    return Optional.empty();
                }
                Optional<String> notReady = vllm.notReadyReason(endpoint);
                if (notReady.isPresent()) {
                    lastState.set("job RUNNING, server not ready: " + notReady.get());
                    progress.say("Ray job " + id + " is RUNNING; vLLM not ready yet at " + endpoint + ": "
                            + notReady.get());
                    return Optional.empty();
                }
                LauncherEvents events = LauncherEvents.in(jobLogs.logsOrEmpty(id));
                verified.set(events.verifiedRanks().orElse(null));
                if (verified.get() == null) {
                    lastState.set("vLLM answers, but the job's logs hold no rank report yet (the launcher's rank "
                            + "check runs as a vLLM plugin: is VLLM_PLUGINS excluding it?)");
                    progress.say("vLLM answers at " + endpoint + "; waiting for the rank report in the job's logs");
                    return Optional.empty();
                }
                events.runtime().ifPresent(r -> LOG.info("Ray job {} runs {}", id, r));
                return Optional.of("ready");
            });
        } catch (PlacementException e) {
            throw failAndStop(id, placement, "lost contact with the Ray dashboard: " + e.getMessage(), e);
        }
        if (outcome.isEmpty()) {
            throw failAndStop(id, placement, "not ready within " + readyTimeout.toSeconds() + " s ("
                    + lastState.get() + ")", null);
        }
        if (outcome.get().startsWith("ended:")) {
            String status = outcome.get().substring("ended:".length());
            String why = LauncherEvents.in(jobLogs.logsOrEmpty(id)).failure().map(f -> ": " + f)
                    .orElse(jobLogs.message(id));
            LaunchException ended = new LaunchException("Ray job " + id + " for " + placement + " ended " + status
                    + " before vLLM was ready" + why + jobLogs.excerpt(id));
            cleanup.delete(id); // after its message and logs were read
            throw ended;
        }
        LOG.info("placement {} serves at {} (Ray job {}); ranks verified on {}", placement, endpoint, id,
                verified.get());
        progress.say("ranks verified: " + String.join(", ", verified.get()));
        progress.say("serving at " + endpoint + " (Ray job " + id + ")");
        return new RunningPipeline(id, placement, endpoint, polling.clock().instant(), verified.get());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Waits (at most the drain timeout) while {@code vllm:num_requests_running} is above 0, asks Ray to stop
     * the job, waits the grace period for a terminal status, and deletes the ended job (unless the builder keeps
     * stopped jobs). A job Ray no longer knows counts as stopped. Only this pipeline's job id is addressed; its
     * port is free for the next launch once the job has ended.
     *
     * @throws LaunchException if Ray refuses the stop or the job does not end within the grace period (the
     *                         pipeline then keeps its port, and may be stopped again)
     */
    @Override
    public void stop(RunningPipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        String id = pipeline.id();
        drain(pipeline.endpoint());
        try {
            DashboardClient.Answer answer = dashboard.postJson("api/jobs/" + id + "/stop", Map.of());
            if (answer.status() == 404) {
                LOG.info("Ray job {} is already gone", id);
                ports.releasePipeline(id);
                return;
            }
            if (!answer.ok()) {
                throw new LaunchException("Ray refused to stop job " + id + ": HTTP " + answer.status() + ": "
                        + DashboardClient.excerpt(answer.body(), 500));
            }
            Optional<String> terminal = polling.until(stopGracePeriod,
                    () -> jobLogs.status(id).map(s -> s.equals("DOES_NOT_EXIST") ? "STOPPED" : s)
                            .filter(TERMINAL::contains));
            if (terminal.isEmpty()) {
                throw new LaunchException("Ray job " + id + " did not stop within "
                        + stopGracePeriod.toSeconds() + " s; stop it with 'ray job stop " + id + "'");
            }
            LOG.info("Ray job {} is {}", id, terminal.get());
            ports.releasePipeline(id);
            cleanup.delete(id);
        } catch (LaunchException e) {
            throw e;
        } catch (PlacementException e) {
            throw new LaunchException("cannot stop Ray job " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Asks the dashboard for the job's status: a job that has ended (STOPPED, SUCCEEDED, FAILED) or that Ray
     * no longer knows is dead. A dashboard that cannot be reached throws, which the orchestrator reads as
     * "cannot tell".
     *
     * @throws PlacementException if the dashboard does not answer or answers with an error
     */
    @Override
    public boolean isAlive(RunningPipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        Optional<String> status = jobLogs.status(pipeline.id());
        boolean dead = status.map(s -> TERMINAL.contains(s) || "DOES_NOT_EXIST".equals(s)).orElse(false);
        if (dead) {
            LOG.warn("Ray job {} for {} is {}", pipeline.id(), pipeline.placement(), status.get());
        }
        return !dead;
    }

    private void drain(URI endpoint) {
        if (!vllm.drain(polling, endpoint, drainTimeout)) {
            LOG.warn("requests still running at {} after draining for {} s; stopping anyway", endpoint,
                    drainTimeout.toSeconds());
        }
    }

    private LaunchException failAndStop(String id, Placement placement, String reason, Throwable cause) {
        String logs = jobLogs.excerpt(id);
        String stopped = cleanup.stopFailed(id, jobLogs::status);
        LOG.warn("placement {} failed to start as Ray job {}: {}; {}", placement, id, reason, stopped);
        return new LaunchException("Ray job " + id + " for " + placement + ": " + reason + "; " + stopped + logs,
                cause);
    }

    /**
     * Configures a {@link RayJobsLauncher}; not thread-safe. Defaults: job status and readiness polled every 2 s,
     * 10 s per HTTP request, start-up within 15 min, draining for at most 60 s, 30 s for Ray to report the job
     * ended after a stop.
     */
    public static final class Builder extends LauncherBuilder<Builder> {
        private URI dashboard;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private HttpClient httpClient;
        private boolean keepStoppedJobs;
        private Duration preflightTimeout = Duration.ofMinutes(5);

        private Builder() {
            super(Duration.ofSeconds(2), Duration.ofSeconds(10));
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @param address the Ray dashboard, for example {@code http://10.0.0.10:8265} (http or https; a path
         *                prefix is kept, for a dashboard behind a proxy)
         * @return this builder
         */
        public Builder dashboard(URI address) {
            this.dashboard = DashboardClient.requireHttpUri(address, "dashboard address");
            return this;
        }

        /**
         * @param token a bearer token sent as {@code Authorization: Bearer ...}; never logged
         * @return this builder
         */
        public Builder bearerToken(String token) {
            headers.putAll(DashboardClient.bearer(token));
            return this;
        }

        /**
         * @param name  an HTTP header sent on every dashboard request (for example a proxy's auth header)
         * @param value its value; never logged
         * @return this builder
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "header name");
            Objects.requireNonNull(value, "header value");
            if (!name.matches("[A-Za-z0-9-]{1,64}") || value.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                throw new IllegalArgumentException("header '" + name + "' has an invalid name or a control "
                        + "character in its value");
            }
            headers.put(name, value);
            return this;
        }

        /**
         * @param client the HTTP client (for a custom TLS context or proxy); default a new client
         * @return this builder
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /**
         * @param keep whether a job this launcher stopped stays in Ray's job list (and its logs with it); default
         *             false: a stopped job is deleted ({@code DELETE /api/jobs/{id}}) once it has ended, so that
         *             reconfigurations do not pile jobs up in the dashboard
         * @return this builder
         */
        public Builder keepStoppedJobs(boolean keep) {
            this.keepStoppedJobs = keep;
            return this;
        }

        /**
         * @param timeout how long a {@link RayJobsLauncher#preflight} job may take, runtime-environment set-up
         *                included; default 5 min (each node's check may take half of it, at most 60 s)
         * @return this builder
         */
        public Builder preflightTimeout(Duration timeout) {
            this.preflightTimeout = Polling.requirePositive(timeout, "preflightTimeout");
            return this;
        }

        /**
         * @param timeout per HTTP request; default 10 s
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Polling.requirePositive(timeout, "requestTimeout");
            return this;
        }

        /**
         * @return the launcher
         * @throws IllegalStateException if no dashboard address was given
         */
        public RayJobsLauncher build() {
            if (dashboard == null) {
                throw new IllegalStateException("RayJobsLauncher needs a dashboard address");
            }
            return new RayJobsLauncher(this);
        }
    }
}
