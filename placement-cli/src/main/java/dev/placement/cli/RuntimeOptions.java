package dev.placement.cli;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Precision;
import dev.placement.api.RunningPipeline;
import dev.placement.vllm.LaunchProgress;
import dev.placement.vllm.LocalProcessLauncher;
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
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that say where and how vLLM runs — the runtime (Ray Jobs, SSH, a local process), vLLM's own
 * settings, SSH — shared by {@code placement launch} and {@code placement run}, and the launchers built from them.
 * A Ray dashboard token is read from the environment variable {@value #TOKEN_ENV}, never from an option. Not
 * thread-safe (picocli fills it once per run).
 */
final class RuntimeOptions {

    /** The environment variable holding the Ray dashboard's bearer token. */
    static final String TOKEN_ENV = "PLACEMENT_RAY_TOKEN";

    /** The values {@code --runtime} takes, the default first. */
    static final List<String> RUNTIMES = List.of("ray-jobs", "ssh", "local");

    /** The longest {@code --ready-timeout}: a day covers a first download of a large model. */
    static final long MAX_READY_TIMEOUT_SECONDS = Duration.ofDays(1).toSeconds();

    @Option(names = "--runtime", paramLabel = "RUNTIME", defaultValue = "ray-jobs",
            description = "ray-jobs (default), ssh or local.")
    String runtime;

    @Option(names = "--vllm-executable", paramLabel = "FILE",
            description = "With --runtime local: the program started in place of vllm, with vLLM's arguments "
                    + "(serve MODEL ... --port PORT), e.g. a wrapper script or a stand-in server.")
    Path vllmExecutable;

    @Option(names = "--ray-address", paramLabel = "URL",
            description = "The Ray dashboard, e.g. http://10.0.0.10:8265 (default: $RAY_ADDRESS).")
    String rayAddress;

    @Option(names = "--keep-jobs", description = "With ray-jobs: keep a job this command stops (a failed start) in "
            + "Ray's job list; by default it is deleted once it has ended (its last logs are in the error).")
    boolean keepJobs;

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

    /** The engine settings the placement runs with: the ones plan and predict assume unless given here. */
    PlacementRequest launchRequest(ModelSpec modelSpec, ClusterSnapshot clusterSnapshot) {
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
    VllmOptions vllmOptions(ModelSpec modelSpec) {
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

    private LaunchProgress progress(PrintWriter err) {
        return quiet ? LaunchProgress.NONE : new LaunchProgressLines(err);
    }

    RayJobsLauncher rayJobsLauncher(VllmOptions options, PrintWriter err) {
        URI dashboard = rayDashboard();
        if (dashboard == null) {
            throw new InvalidInputException("--ray-address", null, "give the Ray dashboard's URL, for "
                    + "example http://10.0.0.10:8265 (or set RAY_ADDRESS)");
        }
        RayJobsLauncher.Builder b = RayJobsLauncher.builder().dashboard(dashboard).options(options)
                .readyTimeout(Duration.ofSeconds(readyTimeoutSeconds)).keepStoppedJobs(keepJobs)
                .progress(progress(err));
        String token = rayToken();
        if (token != null) {
            b.bearerToken(token);
        }
        return b.build();
    }

    /**
     * @return the Ray dashboard from {@code --ray-address}, else {@code $RAY_ADDRESS}, or null when neither is set
     * @throws InvalidInputException if the one given is not an http(s) URL
     */
    URI rayDashboard() {
        String address = rayAddress != null ? rayAddress : System.getenv("RAY_ADDRESS");
        if (address == null) {
            return null;
        }
        try {
            if (address.matches("https?://[^\\s]+")) {
                return URI.create(address);
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new InvalidInputException("--ray-address", null, "give the Ray dashboard's URL, for "
                + "example http://10.0.0.10:8265 (or set RAY_ADDRESS); was " + address);
    }

    /** @return the dashboard's bearer token from {@value #TOKEN_ENV}, or null */
    String rayToken() {
        String token = System.getenv(TOKEN_ENV);
        return token == null || token.isBlank() ? null : token;
    }

    PipelineLauncher launcher(VllmOptions options, PrintWriter err) {
        Duration ready = Duration.ofSeconds(readyTimeoutSeconds);
        LaunchProgress progress = progress(err);
        switch (runtime) {
            case "ray-jobs":
                return rayJobsLauncher(options, err);
            case "ssh": {
                SshCommandRunner runner = sshRunner("--runtime ssh");
                return new ClosingLauncher(SshLauncher.builder().runner(runner).options(options)
                        .startRay(!noStartRay).readyTimeout(ready).progress(progress).build(), runner);
            }
            case "local": {
                LocalProcessLauncher.Builder local = LocalProcessLauncher.builder().options(options)
                        .readyTimeout(ready).progress(progress);
                if (vllmExecutable != null) {
                    String program = vllmExecutable.toAbsolutePath().toString();
                    local.command(plan -> executable(program, plan));
                }
                return local.build();
            }
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

    /**
     * An SSH client with the SSH options, for the launcher or the probes.
     *
     * @param purpose what needs it, for the error message, e.g. {@code --runtime ssh}
     * @return the runner; the caller closes it
     */
    SshCommandRunner sshRunner(String purpose) {
        if (sshUser == null || sshKey == null) {
            throw new InvalidInputException(purpose, null, "needs --ssh-user and --ssh-key");
        }
        Path hosts = knownHosts != null ? knownHosts : Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        try {
            return SshCommandRunner.builder().user(sshUser).privateKey(sshKey).knownHosts(hosts).port(sshPort).build();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--ssh-key", null, e.getMessage());
        }
    }

    /** {@code vllm serve MODEL ...} with the program in place of {@code vllm}. */
    private static List<String> executable(String program, VllmLaunchPlan plan) {
        List<String> argv = new ArrayList<>(plan.serverCommand());
        argv.set(0, program);
        return argv;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing an SSH client cannot fail in a way the user could act on.
        }
    }

    /**
     * Checks the options that need no file, so that a dry run fails on the options a real launch would fail on.
     *
     * @throws InvalidInputException naming the option
     */
    void validate() {
        if (!RUNTIMES.contains(runtime)) {
            throw new InvalidInputException("--runtime", null, "'" + runtime + "' is not one of "
                    + String.join(", ", RUNTIMES));
        }
        if (readyTimeoutSeconds < 1 || readyTimeoutSeconds > MAX_READY_TIMEOUT_SECONDS) {
            throw new InvalidInputException("--ready-timeout", null, "must be 1 to " + MAX_READY_TIMEOUT_SECONDS
                    + " seconds, was " + readyTimeoutSeconds);
        }
        if (vllmExecutable != null && !runtime.equals("local")) {
            throw new InvalidInputException("--vllm-executable", null, "needs --runtime local, not " + runtime);
        }
    }

    /**
     * @param cluster the cluster, for the GPUs' dtype support
     * @return the precision vLLM serves in, as plan and predict size the model for it
     */
    Precision precision(ClusterSnapshot cluster) {
        return PlanningOptions.precision(dtype == null ? "auto" : dtype, kvCacheDtype, cluster);
    }
}
