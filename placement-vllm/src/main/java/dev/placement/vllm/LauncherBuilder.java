package dev.placement.vllm;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every launcher's builder shares: the vLLM options, the progress listener, the clock deadlines are
 * measured on, the poll interval,
 * the per-request timeout, and how long start-up, draining and the stop grace period may take. Each launcher
 * passes its own defaults for the two values that differ between them (poll interval and request timeout).
 *
 * <p>Not thread-safe, like the builders that extend it.
 *
 * @param <B> the concrete builder, returned by every setter so calls chain
 */
abstract class LauncherBuilder<B extends LauncherBuilder<B>> {
    VllmOptions options = VllmOptions.defaults();
    Clock clock = Clock.systemUTC();
    Sleeper sleeper = Sleeper.REAL;
    Duration pollInterval;
    Duration requestTimeout;
    Duration readyTimeout = Duration.ofMinutes(15);
    Duration drainTimeout = Duration.ofSeconds(60);
    Duration stopGracePeriod = Duration.ofSeconds(30);
    LaunchProgress progress = LaunchProgress.NONE;
    /** The range of {@link #portRange}, or null for the options' single port. */
    ReplicaPorts.Range portRange;

    LauncherBuilder(Duration defaultPollInterval, Duration defaultRequestTimeout) {
        this.pollInterval = defaultPollInterval;
        this.requestTimeout = defaultRequestTimeout;
    }

    abstract B self();

    /**
     * @param options the vLLM options (among them the port where readiness is polled, unless
     *                {@link #portRange} gives a range); default
     *                {@link VllmOptions#defaults()}
     * @return this builder
     */
    public B options(VllmOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        return self();
    }

    /**
     * @param clock the clock deadlines are measured on; default the UTC system clock
     * @return this builder
     */
    public B clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return self();
    }

    /**
     * @param interval time between readiness (and, where there is one, status) polls; positive; the default
     *                 is the launcher's (see its builder)
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public B pollInterval(Duration interval) {
        this.pollInterval = Polling.requirePositive(interval, "pollInterval");
        return self();
    }

    /**
     * @param timeout how long a launch may take to become ready (model load, compilation); not negative;
     *                default 15 min
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public B readyTimeout(Duration timeout) {
        this.readyTimeout = Polling.requireNonNegative(timeout, "readyTimeout");
        return self();
    }

    /**
     * @param timeout how long a stop waits for running requests to finish; not negative; default 60 s
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public B drainTimeout(Duration timeout) {
        this.drainTimeout = Polling.requireNonNegative(timeout, "drainTimeout");
        return self();
    }

    /**
     * @param grace how long a stop waits after asking the server to end (SIGTERM, or Ray's stop) before it
     *              forces it or gives up; not negative; default 30 s
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public B stopGracePeriod(Duration grace) {
        this.stopGracePeriod = Polling.requireNonNegative(grace, "stopGracePeriod");
        return self();
    }

    /**
     * @param progress hears each phase of a launch and every readiness poll (what it waits for, how long it has
     *                 waited); default none
     * @return this builder
     */
    public B progress(LaunchProgress progress) {
        this.progress = Objects.requireNonNull(progress, "progress");
        return self();
    }

    /**
     * The OpenAI server ports the launcher's pipelines may listen on, for several replicas running at once: each
     * launch takes the lowest port of the range that none of this launcher's live pipelines holds on the host its
     * server runs on (rank 0's node; the local host for {@link LocalProcessLauncher}), and its
     * {@code RunningPipeline.endpoint()} names it. Unset, the range is the one port of
     * {@link VllmOptions#port()} (default 8000): one pipeline per host, as vLLM's default.
     *
     * @param first the lowest port, 1 to 65535
     * @param last  the highest port, {@code first} to 65535 (inclusive)
     * @return this builder
     * @throws IllegalArgumentException naming the bound and value if the range is empty or out of 1..65535
     */
    public B portRange(int first, int last) {
        this.portRange = new ReplicaPorts.Range(first, last);
        return self();
    }

    /** @return a new port allocator (one per launcher) on {@link #portRange}, or on the options' single port */
    ReplicaPorts ports() {
        return new ReplicaPorts(portRange != null ? portRange : new ReplicaPorts.Range(options.port(), options.port()));
    }

    B sleeper(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        return self();
    }

    /** @return a poller on this builder's clock, sleeper and poll interval */
    Polling polling() {
        return new Polling(clock, sleeper, pollInterval);
    }

    /** @return a new HTTP client connecting within the request timeout */
    HttpClient newHttpClient() {
        return HttpClient.newBuilder().connectTimeout(requestTimeout).build();
    }
}
