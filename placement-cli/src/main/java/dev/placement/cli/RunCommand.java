package dev.placement.cli;

import dev.placement.api.ClusterInventory;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.InvalidInputException;
import dev.placement.api.LatencyProbe;
import dev.placement.api.ModelSpec;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Precision;
import dev.placement.core.CalibratedModel;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import dev.placement.cli.demo.JournalReport;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.OrchestratorEvent;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.PlacementOrchestratorBuilder;
import dev.placement.gateway.ApiKey;
import dev.placement.gateway.PlacementGateway;
import dev.placement.vllm.RayClusterInventory;
import dev.placement.vllm.VllmMetricsSource;
import dev.placement.vllm.VllmOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement run}: the real loop from the command line. It observes the cluster (the cluster file, or Ray's
 * view of it), measures the links at every tick, asks the agent when something changed, and (re)launches vLLM when
 * a better placement pays for its restart; one line per decision on stdout, progress on stderr. Ctrl-C (or
 * {@code --max-ticks}) drains the requests in flight and then stops or keeps the pipeline, as {@code --on-exit}
 * says. {@code --dry-run} observes and decides on the real cluster but never launches. Not thread-safe (picocli
 * fills it once per run).
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = PlacementCommand.Version.class,
        header = "Run the loop on a real cluster: observe, decide, reconfigure vLLM (or --dry-run).",
        description = {"Keeps a model placed well on a real cluster. At every tick it reads the nodes (the cluster",
            "file, or Ray's alive nodes with --ray-address), measures the links (--probe), asks the agent when",
            "something changed, and relaunches vLLM when a better placement pays for its restart. One line per",
            "decision on stdout; progress on stderr. Ctrl-C drains and stops the pipeline (--on-exit keep leaves",
            "it running). --dry-run observes and decides but never launches, printing what it would do and why."},
        footer = {"", "Examples:",
            "  placement run --cluster cluster.yaml --model tiiuae/Falcon3-10B-Base \\",
            "      --ray-address http://10.0.0.10:8265 --probe ssh --ssh-user edge \\",
            "      --ssh-key ~/.ssh/id_ed25519 --dry-run",
            "  placement run --cluster cluster.yaml --connectivity links.yaml --probe file \\",
            "      --model tiiuae/Falcon3-10B-Base --runtime local --tick 5",
            "", "--probe file re-reads --connectivity at every tick: shape the links with tc and write what you",
            "set into the file. --gateway PORT puts one stable endpoint in front of the pipeline that",
            "holds requests while vLLM restarts. Written into --out: journal.jsonl (unless --journal) and,",
            "on exit, report.html (this run's decisions, predicted beside measured)."})
final class RunCommand implements Callable<Integer> {
    /** The values {@code --probe} takes. */
    static final List<String> PROBES = List.of("file", "tcp", "icmp", "ssh");

    /** The environment variable with the gateway's own API keys, comma-separated. */
    static final String GATEWAY_KEYS_ENV = "PLACEMENT_GATEWAY_API_KEYS";

    /** How long Ctrl-C waits for the loop to drain and stop the pipeline before the JVM exits anyway. */
    static final Duration EXIT_GRACE = Duration.ofMinutes(2);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "The cluster file (YAML or JSON).")
    Path cluster;

    @Option(names = "--connectivity", paramLabel = "FILE",
            description = "A connectivity file: read at every tick with --probe file (the default when given).")
    Path connectivity;

    @Option(names = "--model", required = true, paramLabel = "ID",
            description = "A catalogue model id, or the path of a Hugging Face config.json (or its directory).")
    String model;

    @Option(names = "--probe", paramLabel = "KIND", description = "How the links are measured: file (re-read "
            + "--connectivity), tcp (TCP connects from here to each node's SSH port), icmp (ping from here), ssh "
            + "(ping between every pair of nodes, over SSH). Default: file with --connectivity, else tcp.")
    String probe;

    @Option(names = "--bandwidth", paramLabel = "KIND", defaultValue = "none", description = "none (the default: "
            + "the connectivity file's, else 1000 Mbps) or iperf3 (iperf3 between every pair of nodes over SSH, "
            + "every 10 minutes; needs iperf3 on the nodes).")
    String bandwidth;

    @Option(names = "--agent", paramLabel = "NAME", defaultValue = "solver",
            description = "Who chooses placements: solver (the default), even, proportional, openai or gemini.")
    String agent;

    @Option(names = "--objective", paramLabel = "GOAL", defaultValue = "itl",
            description = "itl (default), ttft, throughput, balanced or goodput (with --slo).")
    String objective;

    @Option(names = "--slo", paramLabel = "KEY=MS,...", description = "Per-request SLOs for --objective goodput.")
    String slo;

    @Option(names = "--calibration", paramLabel = "FILE", description = "The calibration file the model starts "
            + "from and keeps what it learns in (created if absent).")
    Path calibration;

    @Option(names = "--journal", paramLabel = "FILE", description = "The decision journal (default "
            + "OUT/journal.jsonl); an existing one is appended to and is the LLM agent's history.")
    Path journal;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/placement-run",
            description = "Where the run's files go (default target/placement-run).")
    Path out;

    @Option(names = "--tick", paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds between ticks (default 10).")
    double tickSeconds;

    @Option(names = "--cooldown", paramLabel = "SECONDS",
            description = "Seconds after a reconfiguration before the next may start (default: the orchestrator's).")
    Double cooldownSeconds;

    @Option(names = "--restart-estimate", paramLabel = "SECONDS", description = "What a restart is taken to cost "
            + "until one has been measured (default: the orchestrator's).")
    Double restartEstimateSeconds;

    @Option(names = "--max-ticks", paramLabel = "N", defaultValue = "0",
            description = "Stop after N ticks (default 0: run until Ctrl-C).")
    long maxTicks;

    @Option(names = "--on-exit", paramLabel = "stop|keep", defaultValue = "stop",
            description = "What to do with the running pipeline on exit: stop it (default) or keep it running.")
    String onExit;

    @Option(names = "--gateway", paramLabel = "PORT", description = "Serve one stable OpenAI-compatible endpoint "
            + "on this port (0: any free one) in front of the pipeline: requests wait there while vLLM restarts, "
            + "then go to the new pipeline; /health and /metrics too. API keys of its own: " + GATEWAY_KEYS_ENV
            + " (comma-separated).")
    Integer gatewayPort;

    @Option(names = "--gateway-bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address the gateway listens on (default 127.0.0.1; 0.0.0.0 for every interface).")
    String gatewayBind;

    @Option(names = "--hold-timeout", paramLabel = "SECONDS", defaultValue = "120", description = "How long the "
            + "gateway holds a request while the pipeline restarts before answering 503 (default 120).")
    double holdTimeoutSeconds;

    @Option(names = "--dry-run", description = "Observe and decide on the real cluster, but never launch: print "
            + "what would be launched and why.")
    boolean dryRun;

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Mixin
    LlmAgentOptions llm = new LlmAgentOptions();

    /** The clock the loop runs on. */
    private final Clock clock = Clock.systemUTC();

    @Override
    public Integer call() throws InterruptedException {
        RunSettings settings = settings();
        ClusterSnapshot declared = ClusterFiles.readCluster(cluster);
        Precision precision = runtime.precision(declared);
        ModelSpec modelSpec = precision.apply(ModelCatalog.builtIn().resolve(model, "--model", null));
        PlacementRequest engine = runtime.launchRequest(modelSpec, declared);
        VllmOptions options = runtime.vllmOptions(modelSpec);
        Path dir = out.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new InvalidInputException("--out", null, "cannot write to " + dir + ": " + e.getMessage());
        }
        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<AutoCloseable> resources = new ArrayList<>();
        CalibratedModel planner = calibration == null ? CalibratedModel.startingFrom(
                PlanningOptions.performanceModel(null)) : CalibratedModel.persistedIn(calibration,
                PlanningOptions.performanceModel(null));
        try (DecisionJournal decisions = DecisionJournal.openFile(journal != null ? journal
                : dir.resolve("journal.jsonl"))) {
            PlacementAgent chosen = Agents.create(agent, planner, llm, decisions);
            ClusterInventory inventory = inventory(declared, engine);
            LatencyProbe links = RunProbes.create(settings.probe(), bandwidth.equals("iperf3"), connectivity,
                    declared, runtime, clock, resources);
            PipelineLauncher launcher = dryRun ? new DryRunLauncher(options, clock) : runtime.launcher(options, err);
            if (launcher instanceof AutoCloseable c) {
                resources.add(c);
            }
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong ticks = new AtomicLong();
            PlacementOrchestratorBuilder b = PlacementOrchestrator.builder().inventory(inventory).probe(links)
                    .launcher(launcher).agent(chosen).model(modelSpec).precision(precision)
                    .objective(PlanningOptions.objective(objective, slo)).maxModelLen(engine.maxModelLen())
                    .calibration(planner).journal(decisions).clock(clock).tickInterval(settings.tick())
                    .stopPipelineOnClose(settings.stopOnExit()).listener(new RunLines(w, err, dryRun))
                    .listener(e -> {
                        if (e instanceof OrchestratorEvent.TickCompleted && maxTicks > 0
                                && ticks.incrementAndGet() >= maxTicks) {
                            done.countDown();
                        }
                    });
            if (!dryRun) {
                b.metricsSource(VllmMetricsSource.builder().clock(clock).build());
            }
            settings.applyTo(b);
            long before = decisions.entries().stream().mapToLong(DecisionJournal.Entry::id).max().orElse(0);
            String title = "Placement run: " + modelSpec.name() + " on " + String.join(", ", declared.nodeIds());
            return loop(b, done, err, () -> report(dir, title, decisions, before, w, err));
        } finally {
            resources.forEach(RuntimeOptions::closeQuietly);
        }
    }

    /** Writes the report of this run's decisions (a journal may hold earlier runs' too); warns if it cannot. */
    private static void report(Path dir, String title, DecisionJournal decisions, long before, PrintWriter w,
            PrintWriter err) {
        try {
            List<DecisionJournal.Entry> thisRun = decisions.entries().stream().filter(e -> e.id() > before).toList();
            w.println("Report: " + JournalReport.write(dir, title, thisRun));
            w.flush();
        } catch (RuntimeException e) {
            err.println("placement run: could not write the report: " + e.getMessage());
            err.flush();
        }
    }

    private int loop(PlacementOrchestratorBuilder b, CountDownLatch done, PrintWriter err, Runnable afterClose)
            throws InterruptedException {
        // Ctrl-C runs the hook while the JVM shuts down, and the JVM halts once the hooks return: the hook wakes
        // the loop and then waits (bounded) for it to drain and stop the pipeline.
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            done.countDown();
            try {
                closed.await(EXIT_GRACE.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "placement-run-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            runUntilDone(b, done, err);
            afterClose.run();
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook has run.
            }
        }
        return 0;
    }

    /** Ticks until Ctrl-C or --max-ticks; closing drains the gateway, then the gate, and stops or keeps vLLM. */
    private void runUntilDone(PlacementOrchestratorBuilder b, CountDownLatch done, PrintWriter err)
            throws InterruptedException {
        try (PlacementOrchestrator orchestrator = b.build(); PlacementGateway gateway = gateway(orchestrator)) {
            if (gateway != null) {
                gateway.start();
                err.println("placement run: gateway at " + gateway.baseUri() + "/v1");
            }
            err.println("placement run: " + (dryRun ? "dry run, nothing is launched; " : "") + "a tick every "
                    + tickSeconds + " s" + (maxTicks > 0 ? ", " + maxTicks + " ticks" : "") + "; Ctrl-C to stop");
            err.flush();
            orchestrator.start();
            done.await();
            err.println("placement run: draining and " + (onExit.equals("keep") ? "keeping" : "stopping")
                    + " the pipeline...");
            err.flush();
        }
    }

    /** The gateway --gateway asks for, not started, or null. */
    private PlacementGateway gateway(PlacementOrchestrator orchestrator) {
        if (gatewayPort == null) {
            return null;
        }
        List<ApiKey> keys = new ArrayList<>();
        String env = System.getenv(GATEWAY_KEYS_ENV);
        if (env != null) {
            for (String k : env.split(",")) {
                if (!k.isBlank()) {
                    keys.add(ApiKey.of(k.trim()));
                }
            }
        }
        try {
            return PlacementGateway.builder().orchestrator(orchestrator).bindAddress(gatewayBind).port(gatewayPort)
                    .holdTimeout(seconds("--hold-timeout", holdTimeoutSeconds, false)).apiKeys(keys).build();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--gateway", null, e.getMessage());
        }
    }

    /** The Ray dashboard's view of the nodes when one is given, else the cluster file's. */
    private ClusterInventory inventory(ClusterSnapshot declared, PlacementRequest engine) {
        URI dashboard = runtime.rayDashboard();
        if (dashboard == null) {
            ClusterSnapshot fixed = engine.cluster();
            return () -> fixed;
        }
        RayClusterInventory.Builder b = RayClusterInventory.builder().dashboard(dashboard).declaredCluster(declared);
        String token = runtime.rayToken();
        if (token != null) {
            b.bearerToken(token);
        }
        return b.build();
    }

    /** Checks the options that need no file. */
    private RunSettings settings() {
        runtime.validate();
        if (!onExit.equals("stop") && !onExit.equals("keep")) {
            throw new InvalidInputException("--on-exit", null, "'" + onExit + "' is neither stop nor keep");
        }
        if (maxTicks < 0) {
            throw new InvalidInputException("--max-ticks", null, "must be 0 (no limit) or more, was " + maxTicks);
        }
        String kind = probe != null ? probe : connectivity != null ? "file" : "tcp";
        if (!PROBES.contains(kind)) {
            throw new InvalidInputException("--probe", null, "'" + kind + "' is not one of "
                    + String.join(", ", PROBES));
        }
        if (!bandwidth.equals("none") && !bandwidth.equals("iperf3")) {
            throw new InvalidInputException("--bandwidth", null, "'" + bandwidth + "' is neither none nor iperf3");
        }
        if (kind.equals("file") && connectivity == null) {
            throw new InvalidInputException("--probe file", null, "needs --connectivity FILE");
        }
        llm.requireUnusedUnless(agent);
        return new RunSettings(kind, seconds("--tick", tickSeconds, false), optionalSeconds("--cooldown",
                cooldownSeconds), optionalSeconds("--restart-estimate", restartEstimateSeconds),
                onExit.equals("stop"));
    }

    private static Duration optionalSeconds(String option, Double value) {
        return value == null ? null : seconds(option, value, true);
    }

    private static Duration seconds(String option, double value, boolean zeroAllowed) {
        if (!(value >= 0) || Double.isInfinite(value) || (!zeroAllowed && value == 0) || value > 86_400) {
            throw new InvalidInputException(option, null, "must be " + (zeroAllowed ? "0" : "more than 0")
                    + " to 86400 seconds, was " + value);
        }
        return Duration.ofNanos(Math.round(value * 1e9));
    }

    /** The loop's settings from the options, checked. */
    private record RunSettings(String probe, Duration tick, Duration cooldown, Duration restartEstimate,
            boolean stopOnExit) {
        void applyTo(PlacementOrchestratorBuilder b) {
            if (cooldown != null) {
                b.cooldown(cooldown);
            }
            if (restartEstimate != null) {
                b.defaultRestartTime(restartEstimate);
            }
        }
    }
}
