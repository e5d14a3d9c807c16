package dev.placement.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import dev.placement.vllm.LaunchProgress;
import dev.placement.vllm.LocalProcessLauncher;
import dev.placement.vllm.PreflightReport;
import dev.placement.vllm.RayJobsLauncher;
import dev.placement.vllm.SshCommandRunner;
import dev.placement.vllm.SshLauncher;
import dev.placement.vllm.VllmLaunchPlan;
import dev.placement.vllm.VllmOptions;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement launch}: runs one placement on vLLM (over Ray Jobs, SSH, or as a local process), or with
 * {@code --dry-run} prints the full launch plan as JSON. A Ray dashboard token is read from the environment
 * variable {@value #TOKEN_ENV}, never from an option. Not thread-safe (picocli fills it once per run).
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        header = "Launch a placement on vLLM over Ray (or print its plan with --dry-run).",
        description = {"Launch a placement on vLLM with the chosen nodes, rank order and uneven layer",
            "split. Ray Jobs: a Python launcher pins rank i to node i through a Ray placement",
            "group and sets VLLM_PP_LAYER_PARTITION. --dry-run prints the plan (bundles,",
            "environment, the Ray job submission and the per-node SSH commands) as JSON and",
            "contacts nothing."},
        footer = {"", "Example:",
            "  placement launch --cluster cluster.yaml --model tiiuae/Falcon3-10B-Base \\",
            "      --placement node0:20,node1:20 --runtime ray-jobs \\",
            "      --ray-address http://10.0.0.10:8265 --dry-run",
            "  placement launch ... --runtime ray-jobs \\",
            "      --ray-address http://10.0.0.10:8265 --preflight",
            "", "Environment: " + LaunchCommand.TOKEN_ENV + " (bearer token for the Ray dashboard),",
            "RAY_ADDRESS (default --ray-address)."})
final class LaunchCommand implements Callable<Integer> {

    /** The environment variable holding the Ray dashboard's bearer token. */
    static final String TOKEN_ENV = "PLACEMENT_RAY_TOKEN";

    /** The values {@code --runtime} takes, the default first. */
    static final List<String> RUNTIMES = List.of("ray-jobs", "ssh", "local");

    /** The exit code of {@code --preflight} when something would block the launch. */
    static final int PREFLIGHT_BLOCKED = 4;

    /** The longest {@code --ready-timeout}: a day covers a first download of a large model. */
    static final long MAX_READY_TIMEOUT_SECONDS = Duration.ofDays(1).toSeconds();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "The cluster file (YAML or JSON).")
    Path cluster;

    @Option(names = "--model", required = true, paramLabel = "ID",
            description = "A catalogue model id, or the path of a Hugging Face config.json (or its directory).")
    String model;

    @Option(names = "--placement", required = true, paramLabel = "NODE:LAYERS,...",
            description = "The placement, rank 0 first, e.g. node0:20,node1:20; @tpN after it runs each stage on "
                    + "N GPUs of its node (node0:20,node1:20@tp2).")
    String placement;

    @Option(names = "--runtime", paramLabel = "RUNTIME", defaultValue = "ray-jobs",
            description = "ray-jobs (default), ssh or local.")
    String runtime;

    @Option(names = "--ray-address", paramLabel = "URL",
            description = "The Ray dashboard, e.g. http://10.0.0.10:8265 (default: $RAY_ADDRESS).")
    String rayAddress;

    @Option(names = "--keep-jobs", description = "With ray-jobs: keep a job this command stops (a failed start) in "
            + "Ray's job list; by default it is deleted once it has ended (its last logs are in the error).")
    boolean keepJobs;

    @Option(names = "--dry-run", description = "Print the launch plan as JSON and exit; contacts nothing.")
    boolean dryRun;

    @Option(names = "--preflight", description = "With ray-jobs: check the cluster instead of launching. A short Ray "
            + "job reports per planned node Ray's and vLLM's versions, the GPUs and their free memory, the IP Ray "
            + "uses and whether the other nodes' Ray ports open from it; prints a table and what would block the "
            + "launch (exit 4 when something does).")
    boolean preflight;

    @Option(names = "--quiet", description = "Print no progress while waiting for vLLM (by default a line on stderr "
            + "per phase and at least every 10 s: submitted, job status, /health, seconds waited, serving).")
    boolean quiet;

    @Option(names = "--vllm-model", paramLabel = "ID_OR_PATH",
            description = "What vLLM loads: a Hugging Face id or an absolute path (default: the --model id).")
    String vllmModel;

    @Option(names = "--served-model-name", paramLabel = "NAME", description = "The name the server answers to.")
    String servedModelName;

    @Option(names = "--max-model-len", paramLabel = "TOKENS",
            description = "vLLM --max-model-len (default: the model's context length, at most 4096, as plan assumes).")
    Integer maxModelLen;

    @Option(names = "--dtype", paramLabel = "DTYPE", description = "vLLM --dtype: auto (default; half where a GPU "
            + "lacks bfloat16, such as the T4), half, float16, bfloat16, float32.")
    String dtype;

    @Option(names = "--kv-cache-dtype", paramLabel = "DTYPE", defaultValue = "auto",
            description = "vLLM --kv-cache-dtype: auto (the dtype, the default), fp8, fp8_e4m3, fp8_e5m2.")
    String kvCacheDtype;

    @Option(names = "--gpu-memory-utilization", paramLabel = "FRACTION",
            description = "vLLM --gpu-memory-utilization (default: the cluster file's value, else 0.9).")
    Double gpuMemoryUtilization;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8000", description = "Server port (default 8000).")
    int port;

    @Option(names = "--enforce-eager", description = "vLLM --enforce-eager (faster start, slower decode).")
    boolean enforceEager;

    @Option(names = "--vllm-arg", paramLabel = "ARG", description = "An extra vllm serve argument (repeatable).")
    List<String> vllmArgs = new ArrayList<>();

    @Option(names = "--vllm-env", paramLabel = "NAME=VALUE",
            description = "An extra environment variable for vLLM and its workers (repeatable).")
    List<String> vllmEnv = new ArrayList<>();

    @Option(names = "--vllm-version", paramLabel = "VERSION", description = "The vLLM version, recorded in the plan.")
    String vllmVersion;

    @Option(names = "--ready-timeout", paramLabel = "SECONDS", defaultValue = "900",
            description = "How long start-up may take before the launch is stopped and fails, 1 to 86400 "
                    + "(default 900).")
    long readyTimeoutSeconds;

    @Option(names = "--ssh-user", paramLabel = "USER", description = "With --runtime ssh: the login user.")
    String sshUser;

    @Option(names = "--ssh-key", paramLabel = "FILE", description = "With --runtime ssh: the private key.")
    Path sshKey;

    @Option(names = "--known-hosts", paramLabel = "FILE",
            description = "With --runtime ssh: the known_hosts file (default ~/.ssh/known_hosts).")
    Path knownHosts;

    @Option(names = "--ssh-port", paramLabel = "PORT", defaultValue = "22", description = "With --runtime ssh: port.")
    int sshPort;

    @Option(names = "--no-start-ray", description = "With --runtime ssh: Ray already runs on the nodes.")
    boolean noStartRay;

    @Override
    public Integer call() {
        // Checked before anything is read, so that a dry run fails on the options a real launch would fail on.
        if (!RUNTIMES.contains(runtime)) {
            throw new InvalidInputException("--runtime", null, "'" + runtime + "' is not one of "
                    + String.join(", ", RUNTIMES));
        }
        if (readyTimeoutSeconds < 1 || readyTimeoutSeconds > MAX_READY_TIMEOUT_SECONDS) {
            throw new InvalidInputException("--ready-timeout", null, "must be 1 to " + MAX_READY_TIMEOUT_SECONDS
                    + " seconds, was " + readyTimeoutSeconds);
        }
        if (preflight && (dryRun || !runtime.equals("ray-jobs"))) {
            throw new InvalidInputException("--preflight", null, dryRun ? "and --dry-run exclude each other"
                    : "needs --runtime ray-jobs (the check runs as a Ray job), not " + runtime);
        }
        ClusterSnapshot clusterSnapshot = ClusterFiles.readCluster(cluster);
        // Sized as plan and predict size it for the same --dtype and --kv-cache-dtype.
        ModelSpec modelSpec = PlanningOptions.precision(dtype == null ? "auto" : dtype, kvCacheDtype, clusterSnapshot)
                .apply(ModelCatalog.builtIn().resolve(model, "--model", null));
        Placement p = PlanningOptions.placement(placement, clusterSnapshot, cluster, modelSpec);
        PlacementRequest request = launchRequest(modelSpec, clusterSnapshot);
        VllmOptions options = vllmOptions(modelSpec);
        VllmLaunchPlan plan;
        try {
            plan = VllmLaunchPlan.create(p, request, options);
        } catch (IllegalArgumentException e) {
            // What is left once the placement, the model and the options are checked: a node's address.
            throw new InvalidInputException(cluster.toString(), null, e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("runtime", runtime);
            json.putAll(plan.toMap());
            if (runtime.equals("local")) {
                json.put("localCommand", plan.serverCommand());
            }
            out.println(toJson(json));
            out.flush();
            return 0;
        }
        if (preflight) {
            PreflightReport report = rayJobsLauncher(options).preflight(p, request);
            out.print(PreflightTable.render(report));
            out.flush();
            return report.blocked() ? PREFLIGHT_BLOCKED : 0;
        }
        PipelineLauncher launcher = launcher(options);
        try {
            RunningPipeline running = launcher.launch(p, request);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", running.id());
            json.put("endpoint", running.endpoint().toString());
            json.put("placement", running.placement().toSpec());
            json.put("layerPartition", running.placement().layerPartition());
            json.put("startedAt", running.startedAt().toString());
            out.println(toJson(json));
            out.flush();
            return 0;
        } finally {
            if (launcher instanceof AutoCloseable c) {
                closeQuietly(c);
            }
        }
    }

    /** The engine settings the placement runs with: the ones plan and predict assume unless given here. */
    private PlacementRequest launchRequest(ModelSpec modelSpec, ClusterSnapshot clusterSnapshot) {
        ClusterSnapshot engineCluster = clusterSnapshot;
        if (gpuMemoryUtilization != null) {
            try {
                engineCluster = new ClusterSnapshot(clusterSnapshot.nodes(), gpuMemoryUtilization);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--gpu-memory-utilization", null, e.getMessage());
            }
        }
        try {
            return PlacementRequest.builder(modelSpec, engineCluster, ConnectivityMap.builder().build())
                    .maxModelLen(maxModelLen != null ? maxModelLen : modelSpec.defaultMaxModelLen()).build();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--max-model-len", null, e.getMessage());
        }
    }

    /**
     * The vLLM options, each problem naming the option it came from; what vLLM loads and the name it serves
     * default to the model's name, which must then be valid as each.
     */
    private VllmOptions vllmOptions(ModelSpec modelSpec) {
        VllmOptions.Builder b = VllmOptions.builder();
        option("--vllm-model", "", () -> b.modelSource(vllmModel));
        option("--served-model-name", "", () -> b.servedModelName(servedModelName));
        if (vllmModel == null) {
            // The plan defaults both to the model's name: a config.json's may be neither.
            option("--model", "; give --vllm-model", () -> VllmOptions.builder().modelSource(modelSpec.name()));
        }
        if (servedModelName == null) {
            String served = vllmModel != null ? vllmModel : modelSpec.name();
            option(vllmModel != null ? "--vllm-model" : "--model", "; give --served-model-name",
                    () -> VllmOptions.builder().servedModelName(served));
        }
        option("--dtype", "", () -> b.dtype(dtype));
        option("--kv-cache-dtype", "", () -> b.kvCacheDtype("auto".equals(kvCacheDtype) ? null : kvCacheDtype));
        option("--port", "", () -> b.port(port));
        option("--vllm-arg", "", () -> b.extraArgs(vllmArgs));
        option("--vllm-version", "", () -> b.vllmVersion(vllmVersion));
        for (String kv : vllmEnv) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("--vllm-env", null, "'" + kv + "' is not NAME=VALUE");
            }
            option("--vllm-env", "", () -> b.extraEnv(kv.substring(0, eq), kv.substring(eq + 1)));
        }
        return b.enforceEager(enforceEager).build();
    }

    /** Sets one option on the builder, a value it rejects becoming bad input naming that option. */
    private static void option(String name, String hint, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(name, null, e.getMessage() + hint);
        }
    }

    private LaunchProgress progress() {
        return quiet ? LaunchProgress.NONE : new LaunchProgressLines(spec.commandLine().getErr());
    }

    private RayJobsLauncher rayJobsLauncher(VllmOptions options) {
        String address = rayAddress != null ? rayAddress : System.getenv("RAY_ADDRESS");
        if (address == null || !address.matches("https?://.+")) {
            throw new InvalidInputException("--ray-address", null, "give the Ray dashboard's URL, for "
                    + "example http://10.0.0.10:8265 (or set RAY_ADDRESS); was " + address);
        }
        RayJobsLauncher.Builder b = RayJobsLauncher.builder().dashboard(URI.create(address)).options(options)
                .readyTimeout(Duration.ofSeconds(readyTimeoutSeconds)).keepStoppedJobs(keepJobs).progress(progress());
        String token = System.getenv(TOKEN_ENV);
        if (token != null && !token.isBlank()) {
            b.bearerToken(token);
        }
        return b.build();
    }

    private PipelineLauncher launcher(VllmOptions options) {
        Duration ready = Duration.ofSeconds(readyTimeoutSeconds);
        LaunchProgress progress = progress();
        switch (runtime) {
            case "ray-jobs":
                return rayJobsLauncher(options);
            case "ssh": {
                if (sshUser == null || sshKey == null) {
                    throw new InvalidInputException("--runtime ssh", null, "needs --ssh-user and --ssh-key");
                }
                Path hosts = knownHosts != null ? knownHosts
                        : Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
                SshCommandRunner runner;
                try {
                    runner = SshCommandRunner.builder().user(sshUser).privateKey(sshKey).knownHosts(hosts)
                            .port(sshPort).build();
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("--ssh-key", null, e.getMessage());
                }
                return new ClosingLauncher(SshLauncher.builder().runner(runner).options(options)
                        .startRay(!noStartRay).readyTimeout(ready).progress(progress).build(), runner);
            }
            case "local":
                return LocalProcessLauncher.builder().options(options).readyTimeout(ready).progress(progress).build();
            default:
                throw new IllegalStateException("--runtime '" + runtime + "' was not checked");
        }
    }

    /** An SSH launcher that closes its runner when the command ends. */
    private record ClosingLauncher(SshLauncher launcher, SshCommandRunner runner)
            implements PipelineLauncher, AutoCloseable {
        @Override
        public RunningPipeline launch(Placement placement, PlacementRequest request) {
            return launcher.launch(placement, request);
        }

        @Override
        public void stop(RunningPipeline pipeline) {
            launcher.stop(pipeline);
        }

        @Override
        public void close() {
            runner.close();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing an SSH client cannot fail in a way the user could act on.
        }
    }

    private static String toJson(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
