package dev.placement.vllm;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.LaunchException;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Stage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * An explicit, inspectable plan for running one placement on vLLM over Ray: which node holds which rank and
 * layers, the Ray placement-group bundle that pins each rank to its node, the environment
 * ({@code VLLM_PP_LAYER_PARTITION}, the newer Ray executor, {@code VLLM_RAY_BUNDLE_INDICES}), the
 * {@code vllm serve} arguments, the Ray job submission and, for clusters without a Ray Jobs endpoint, the
 * command each node runs. Immutable and thread-safe.
 *
 * <p>Everything dynamic reaches the Python launcher as data (a base64url-encoded JSON argument whose alphabet
 * is shell-safe), never spliced into shell text; node addresses, model sources and served names are
 * validated before they get here.
 *
 * @param submissionId    the Ray job submission id, 1 to 64 of {@code [A-Za-z0-9_-]}
 * @param modelName       the model's catalogue id (for metadata)
 * @param modelSource     what vLLM loads: a Hugging Face id or an absolute path
 * @param servedModelName the name the server answers to
 * @param vllmVersion     the vLLM version the plan is meant for, or {@code null} if not given
 * @param placement       the placement, rank 0 first
 * @param ranks           one entry per pipeline rank, rank 0 first
 * @param environment     the variables set for the server and its workers, in a stable order
 * @param serverCommand   the equivalent {@code vllm serve} command line, as an argument vector
 * @param endpoint        the OpenAI server's base URL, on rank 0's node
 */
public record VllmLaunchPlan(String submissionId, String modelName, String modelSource, String servedModelName,
        String vllmVersion, Placement placement, List<Rank> ranks, Map<String, String> environment,
        List<String> serverCommand, URI endpoint) {

    /** Name of the launcher script resource and of the file it is shipped as. */
    public static final String LAUNCHER_FILE = "launch_vllm.py";
    /** The port of the Ray head's GCS, used when the SSH plan starts Ray itself. */
    public static final int RAY_HEAD_PORT = 6379;

    /** A host name, IPv4 or IPv6 literal: only characters that are inert in a shell and in a Ray resource. */
    static final Pattern SUBMISSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * One pipeline rank of the plan: a stage, on as many GPUs of its node as the placement's tensor-parallel size.
     *
     * @param rank       the pipeline-parallel rank, 0 first
     * @param nodeId     the node that runs it
     * @param address    the node's address; its Ray resource {@code node:<address>} pins the bundle
     * @param firstLayer the first layer it holds, 0-based
     * @param layerCount how many layers it holds
     * @param bundle     the Ray placement-group bundle of each of its GPUs, {@code {"GPU": 1, "node:<address>":
     *                   0.001}} (vLLM's Ray executor takes one GPU per bundle)
     */
    public record Rank(int rank, String nodeId, String address, int firstLayer, int layerCount,
            Map<String, Double> bundle) {
        /**
         * Validates the rank and address and copies the bundle.
         *
         * @param rank       the pipeline-parallel rank, 0 first; &ge; 0
         * @param nodeId     the node that runs it
         * @param address    the node's address: a host name or IP literal of letters, digits, '.', ':' and '-'
         * @param firstLayer the first layer it holds, 0-based
         * @param layerCount how many layers it holds
         * @param bundle     the Ray placement-group bundle of each of its GPUs; not null
         */
        public Rank {
            if (rank < 0) {
                throw new IllegalArgumentException("rank must not be negative, was " + rank);
            }
            RemoteValues.requireAddress(address, nodeId);
            bundle = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(bundle, "bundle")));
        }
    }

    /**
     * One command of the SSH plan: what runs on which node, with which environment.
     *
     * @param nodeId      the node
     * @param address     its address
     * @param role        {@code ray-head}, {@code ray-worker} or {@code vllm-server}
     * @param command     the argument vector (quoted argument by argument when it crosses a shell)
     * @param environment variables set for this command only
     */
    public record NodeCommand(String nodeId, String address, String role, List<String> command,
            Map<String, String> environment) {
        /**
         * Copies the collections.
         *
         * @param nodeId      the node
         * @param address     its address
         * @param role        {@code ray-head}, {@code ray-worker} or {@code vllm-server}
         * @param command     the argument vector; not null
         * @param environment variables set for this command only; not null
         */
        public NodeCommand {
            command = List.copyOf(command);
            environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        }
    }

    /**
     * Validates the fields and copies the collections.
     *
     * @param submissionId    the Ray job submission id, 1 to 64 of {@code [A-Za-z0-9_-]}
     * @param modelName       the model's catalogue id; not null
     * @param modelSource     what vLLM loads: a Hugging Face id or an absolute path, without {@code ..}
     * @param servedModelName the name the server answers to: 1 to 128 of {@code [A-Za-z0-9._/:-]}, starting with a
     *                        letter or digit
     * @param vllmVersion     the vLLM version the plan is meant for, or {@code null} if not given
     * @param placement       the placement, rank 0 first; not null
     * @param ranks           one entry per pipeline rank, rank 0 first; as many as the placement's stages
     * @param environment     the variables set for the server and its workers, in a stable order; not null
     * @param serverCommand   the equivalent {@code vllm serve} command line, as an argument vector; not null
     * @param endpoint        the OpenAI server's base URL, on rank 0's node; not null
     */
    public VllmLaunchPlan {
        if (submissionId == null || !SUBMISSION_ID.matcher(submissionId).matches()) {
            throw new IllegalArgumentException("submissionId '" + submissionId
                    + "' is invalid: use 1 to 64 of A-Z a-z 0-9 _ -");
        }
        Objects.requireNonNull(modelName, "modelName");
        VllmOptions.requireModelSource(modelSource, "modelSource");
        if (!VllmOptions.SERVED_NAME.matcher(Objects.requireNonNull(servedModelName, "servedModelName")).matches()) {
            throw new IllegalArgumentException("servedModelName '" + servedModelName + "' is invalid");
        }
        Objects.requireNonNull(placement, "placement");
        ranks = List.copyOf(ranks);
        if (ranks.size() != placement.pipelineParallelSize()) {
            throw new IllegalArgumentException("the plan has " + ranks.size() + " ranks but the placement "
                    + placement.pipelineParallelSize() + " stages");
        }
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        serverCommand = List.copyOf(serverCommand);
        Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * Builds the plan for a placement.
     *
     * @param placement the placement, rank 0 first; must cover the model's layers
     * @param request   the request it was chosen for: the model, the cluster (every node of the placement must
     *                  be in it, with a valid address, and its GPU memory fraction) and the max model length
     * @param options   the vLLM options
     * @return the plan, with a submission id derived from its content ({@link #withSubmissionId} replaces it)
     * @throws IllegalArgumentException naming the node, field and value if the placement does not fit the
     *                                  model or cluster, or an address or model source is unsafe
     */
    public static VllmLaunchPlan create(Placement placement, PlacementRequest request, VllmOptions options) {
        return create(placement, request, options, Objects.requireNonNull(options, "options").port());
    }

    /**
     * {@link #create} serving on another port than the options' (a launcher's choice from its port range).
     *
     * @param port the OpenAI server's port, 1 to 65535
     */
    static VllmLaunchPlan create(Placement placement, PlacementRequest request, VllmOptions options, int port) {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(options, "options");
        ModelSpec model = request.model();
        ClusterSnapshot cluster = request.cluster();
        placement.requireLayers(model.layers());
        String source = options.modelSource().orElse(model.name());
        VllmOptions.requireModelSource(source, options.modelSource().isPresent() ? "modelSource" : "model name");
        String served = options.servedModelName().orElse(source);
        if (!VllmOptions.SERVED_NAME.matcher(served).matches()) {
            throw new IllegalArgumentException("served model name '" + served + "' is invalid: set servedModelName");
        }
        List<Rank> ranks = new ArrayList<>();
        for (int r = 0; r < placement.stages().size(); r++) {
            Stage s = placement.stages().get(r);
            NodeSpec node = cluster.node(s.nodeId());
            RemoteValues.requireAddress(node.address(), node.id());
            if (node.gpuCount() < placement.tensorParallelSize()) {
                throw new IllegalArgumentException("node '" + node.id() + "' has " + node.gpuCount() + " GPU"
                        + (node.gpuCount() == 1 ? "" : "s") + " but the placement runs each stage on "
                        + placement.tensorParallelSize());
            }
            Map<String, Double> bundle = new LinkedHashMap<>();
            bundle.put("GPU", 1.0);
            bundle.put("node:" + node.address(), 0.001);
            ranks.add(new Rank(r, node.id(), node.address(), s.firstLayer(), s.layerCount(), bundle));
        }
        Map<String, String> env = VllmServeCommand.environment(placement, options);
        List<String> cmd = VllmServeCommand.command(source, served, placement, request, options,
                ReplicaPorts.requirePort(port, "port"));
        URI endpoint = URI.create("http://" + RemoteValues.hostForUri(ranks.get(0).address()) + ":" + port);
        VllmLaunchPlan draft = new VllmLaunchPlan("placement-draft", model.name(), source, served,
                options.vllmVersion().orElse(null), placement, ranks, env, cmd, endpoint);
        return draft.withSubmissionId("placement-" + PlanJson.contentHash(draft.launcherInput()).substring(0, 12));
    }

    /**
     * {@link #create} for a launcher: a placement that does not fit becomes a {@link LaunchException}.
     *
     * @throws LaunchException naming the placement and why it cannot be planned
     */
    static VllmLaunchPlan createForLaunch(Placement placement, PlacementRequest request, VllmOptions options,
            int port) {
        try {
            return create(placement, request, options, port);
        } catch (IllegalArgumentException e) {
            throw new LaunchException("cannot plan " + placement + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return a copy whose submission id is this one's with the clock's milliseconds and the next value of
     *         {@code sequence} appended (base 36), so repeated launches of one plan never reuse an id
     */
    VllmLaunchPlan withFreshSubmissionId(Clock clock, AtomicLong sequence) {
        return withSubmissionId(submissionId + "-" + Long.toString(clock.millis(), 36)
                + Long.toString(sequence.incrementAndGet(), 36));
    }

    /**
     * @param id the new submission id, 1 to 64 of {@code [A-Za-z0-9_-]}
     * @return a copy with that id (Ray rejects a duplicate id, so each launch uses a fresh one)
     */
    public VllmLaunchPlan withSubmissionId(String id) {
        return new VllmLaunchPlan(id, modelName, modelSource, servedModelName, vllmVersion, placement, ranks,
                environment, serverCommand, endpoint);
    }

    /** @return the pipeline-parallel size K */
    public int pipelineParallelSize() {
        return ranks.size();
    }

    /** @return the tensor-parallel size t: GPUs per stage */
    public int tensorParallelSize() {
        return placement.tensorParallelSize();
    }

    /**
     * @return the placement-group bundles, one per GPU: bundles {@code i × t} to {@code i × t + t − 1} pinned to
     *         rank i's node, as vLLM numbers its workers (tensor-parallel rank innermost)
     */
    public List<Map<String, Double>> bundles() {
        List<Map<String, Double>> bundles = new ArrayList<>();
        for (Rank r : ranks) {
            for (int g = 0; g < placement.tensorParallelSize(); g++) {
                bundles.add(r.bundle());
            }
        }
        return bundles;
    }

    /** @return the arguments after {@code vllm serve} (the model first) */
    public List<String> serverArguments() {
        return serverCommand.subList(2, serverCommand.size());
    }

    /**
     * The plan as the Python launcher reads it: model, server arguments, environment and one entry per rank.
     *
     * @return a JSON-ready map
     */
    public Map<String, Object> launcherInput() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("version", 1);
        in.put("submission_id", submissionId);
        in.put("model", modelSource);
        in.put("served_model_name", servedModelName);
        in.put("args", serverArguments().subList(1, serverArguments().size()));
        in.put("env", environment);
        in.put("tensor_parallel_size", placement.tensorParallelSize());
        List<Map<String, Object>> stages = new ArrayList<>();
        for (Rank r : ranks) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("rank", r.rank());
            s.put("node_id", r.nodeId());
            s.put("node_ip", r.address());
            s.put("layers", r.layerCount());
            stages.add(s);
        }
        in.put("stages", stages);
        return in;
    }

    /** @return {@link #launcherInput()} as JSON, base64url-encoded without padding: safe in any shell word */
    public String encodedLauncherInput() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(PlanJson.write(launcherInput(), false).getBytes(StandardCharsets.UTF_8));
    }

    /** @return the launcher's arguments: {@code launch_vllm.py --plan-b64 <encoded plan>} */
    public List<String> launcherArguments() {
        return List.of(LAUNCHER_FILE, "--plan-b64", encodedLauncherInput());
    }

    /**
     * The body of {@code POST /api/jobs/}: the entrypoint runs the launcher from the job's working directory,
     * the layer partition also travels in {@code runtime_env.env_vars}, and the metadata names the placement.
     * The launcher adds {@code runtime_env.working_dir} when it uploads the script.
     *
     * @return a JSON-ready map
     */
    public Map<String, Object> rayJobSubmission() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("submission_id", submissionId);
        body.put("entrypoint", "python " + String.join(" ", launcherArguments()));
        Map<String, String> envVars = new LinkedHashMap<>(environment);
        // Tells the launcher that the job's runtime_env already carries the variables.
        envVars.put("PLACEMENT_IN_RAY_JOB", "1");
        body.put("runtime_env", Map.of("env_vars", envVars));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("placement", placement.toSpec());
        metadata.put("model", modelName);
        metadata.put("layer_partition", placement.layerPartition());
        metadata.put("created_by", "placement");
        metadata.put("port", Integer.toString(endpoint.getPort()));
        if (vllmVersion != null) {
            metadata.put("vllm_version", vllmVersion);
        }
        body.put("metadata", metadata);
        return body;
    }

    /**
     * The commands for a cluster without a Ray Jobs endpoint: start the Ray head on rank 0's node, join every
     * other node, then run the launcher on rank 0's node.
     *
     * @param python the Python executable on the nodes, for example {@code python3}
     * @param launcherPath where the launcher script is on rank 0's node (an absolute path)
     * @return the commands, in the order they must run
     */
    public List<NodeCommand> nodeCommands(String python, String launcherPath) {
        RemoteValues.requireAbsolutePath(launcherPath, "launcherPath");
        if (!python.matches("[A-Za-z0-9._/+-]{1,200}")) {
            throw new IllegalArgumentException("python executable '" + python + "' has unsafe characters");
        }
        List<String> launcher = new ArrayList<>(List.of(python, launcherPath));
        launcher.addAll(launcherArguments().subList(1, launcherArguments().size()));
        return RayStartCommands.of(ranks, placement.tensorParallelSize(), environment, launcher);
    }

    /**
     * The whole plan as a JSON-ready map: ranks, bundles, environment, command, endpoint, the Ray job
     * submission and the per-node SSH commands.
     *
     * @return a JSON-ready map
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("submissionId", submissionId);
        m.put("model", modelName);
        m.put("modelSource", modelSource);
        m.put("servedModelName", servedModelName);
        if (vllmVersion != null) {
            m.put("vllmVersion", vllmVersion);
        }
        m.put("placement", placement.toSpec());
        m.put("pipelineParallelSize", pipelineParallelSize());
        m.put("tensorParallelSize", tensorParallelSize());
        m.put("layerPartition", placement.layerPartition());
        m.put("ranks", ranks);
        m.put("bundles", bundles());
        m.put("environment", environment);
        m.put("serverCommand", serverCommand);
        m.put("endpoint", endpoint.toString());
        m.put("rayJobSubmission", rayJobSubmission());
        m.put("sshCommands", nodeCommands("python3", "/tmp/placement/" + LAUNCHER_FILE));
        return m;
    }

    /** @return the whole plan ({@link #toMap()}) as indented JSON */
    public String toJson() {
        return PlanJson.write(toMap(), true);
    }
}
