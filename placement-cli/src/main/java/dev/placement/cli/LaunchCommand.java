package dev.placement.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import dev.placement.vllm.PreflightReport;
import dev.placement.vllm.VllmLaunchPlan;
import dev.placement.vllm.VllmOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement launch}: runs one placement on vLLM (over Ray Jobs, SSH, or as a local process), or with
 * {@code --dry-run} prints the full launch plan as JSON; {@link RuntimeOptions} holds the options of where and how.
 * Not thread-safe (picocli fills it once per run).
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
            "", "Environment: " + RuntimeOptions.TOKEN_ENV + " (bearer token for the Ray dashboard),",
            "RAY_ADDRESS (default --ray-address)."})
final class LaunchCommand implements Callable<Integer> {

    /** The exit code of {@code --preflight} when something would block the launch. */
    static final int PREFLIGHT_BLOCKED = 4;

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

    @Option(names = "--dry-run", description = "Print the launch plan as JSON and exit; contacts nothing.")
    boolean dryRun;

    @Option(names = "--preflight", description = "With ray-jobs: check the cluster instead of launching. A short Ray "
            + "job reports per planned node Ray's and vLLM's versions, the GPUs and their free memory, the IP Ray "
            + "uses and whether the other nodes' Ray ports open from it; prints a table and what would block the "
            + "launch (exit 4 when something does).")
    boolean preflight;

    @Mixin
    RuntimeOptions runtime = new RuntimeOptions();

    @Override
    public Integer call() {
        // Checked before anything is read, so that a dry run fails on the options a real launch would fail on.
        runtime.validate();
        if (preflight && (dryRun || !runtime.runtime.equals("ray-jobs"))) {
            throw new InvalidInputException("--preflight", null, dryRun ? "and --dry-run exclude each other"
                    : "needs --runtime ray-jobs (the check runs as a Ray job), not " + runtime.runtime);
        }
        ClusterSnapshot clusterSnapshot = ClusterFiles.readCluster(cluster);
        // Sized as plan and predict size it for the same --dtype and --kv-cache-dtype.
        ModelSpec modelSpec = runtime.precision(clusterSnapshot).apply(ModelCatalog.builtIn().resolve(model, "--model",
                null));
        Placement p = PlanningOptions.placement(placement, clusterSnapshot, cluster, modelSpec);
        PlacementRequest request = runtime.launchRequest(modelSpec, clusterSnapshot);
        VllmOptions options = runtime.vllmOptions(modelSpec);
        VllmLaunchPlan plan;
        try {
            plan = VllmLaunchPlan.create(p, request, options);
        } catch (IllegalArgumentException e) {
            // What is left once the placement, the model and the options are checked: a node's address.
            throw new InvalidInputException(cluster.toString(), null, e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (dryRun) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("runtime", runtime.runtime);
            json.putAll(plan.toMap());
            if (runtime.runtime.equals("local")) {
                json.put("localCommand", plan.serverCommand());
            }
            out.println(toJson(json));
            out.flush();
            return 0;
        }
        if (preflight) {
            PreflightReport report = runtime.rayJobsLauncher(options, err).preflight(p, request);
            out.print(PreflightTable.render(report));
            out.flush();
            return report.blocked() ? PREFLIGHT_BLOCKED : 0;
        }
        PipelineLauncher launcher = runtime.launcher(options, err);
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
                RuntimeOptions.closeQuietly(c);
            }
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
