package dev.placement.vllm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.GpuSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the facts {@code preflight.py} reported ({@code placement-event {"event": "preflight", ...}}) into a
 * {@link PreflightReport} and decides what would block the launch, by the rules vLLM and Ray apply when it runs:
 * every planned node alive in Ray's node list with a GPU, the same vLLM and Ray on every node, rank 0's vLLM keeping
 * the planned rank order, a GPU with {@code gpu_memory_utilization} × its memory free (vLLM refuses to start
 * otherwise), and every planned node's Ray port reachable from every other. Stateless.
 */
final class PreflightVerdict {
    /** How far nvidia-smi's memory may differ from the cluster file's before a warning, as a fraction. */
    private static final double MEMORY_TOLERANCE = 0.10;

    private PreflightVerdict() {
    }

    /**
     * @param event   the preflight event
     * @param cluster the cluster the plan was made for (GPU memory, memory fraction)
     * @param gpus    the GPUs each stage runs on (the placement's tensor-parallel size)
     * @return the report
     */
    static PreflightReport read(JsonNode event, ClusterSnapshot cluster, int gpus) {
        List<PreflightReport.NodeReport> nodes = new ArrayList<>();
        List<String> blockers = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> vllmVersions = new LinkedHashMap<>();
        Map<String, String> rayVersions = new LinkedHashMap<>();
        Map<String, String> rayAddresses = new LinkedHashMap<>();
        for (JsonNode n : event.path("nodes")) {
            PreflightReport.NodeReport node = node(n);
            nodes.add(node);
            String who = node.nodeId() + " (" + node.plannedAddress() + ")";
            if (!n.path("known").asBoolean(false)) {
                blockers.add(who + ": " + text(n, "error", "Ray does not know this node"));
                continue;
            }
            String sameIp = rayAddresses.put(node.rayAddress(), node.nodeId());
            if (sameIp != null) {
                blockers.add(who + ": Ray registered it at " + node.rayAddress() + ", as " + sameIp + "; the launcher "
                        + "pins rank i to node i by that address, so two ranks cannot be told apart");
            }
            if (node.rayGpus() < 1) {
                blockers.add(who + ": Ray counts no GPU on this node (its GPU resource is "
                        + format(node.rayGpus()) + ")");
            } else if (node.rayGpus() < gpus) {
                blockers.add(who + ": Ray counts " + format(node.rayGpus()) + " GPU" + (node.rayGpus() == 1 ? "" : "s")
                        + " on this node, but its stage runs on " + gpus + " (tensor parallelism)");
            }
            if (!n.path("facts").isObject()) {
                blockers.add(who + ": " + text(n, "error", "the check did not run on this node"));
                continue;
            }
            rayVersions.put(node.nodeId(), node.rayVersion());
            if (node.vllmVersion() == null) {
                blockers.add(who + ": vLLM is not installed in the job's Python environment on this node");
            } else {
                vllmVersions.put(node.nodeId(), node.vllmVersion());
            }
            gpuMemory(n.path("facts"), node, who, cluster, gpus, blockers, warnings);
            for (PreflightReport.Reach r : node.reaches()) {
                if (!r.reachable()) {
                    blockers.add(node.nodeId() + " cannot reach " + r.nodeId() + "'s Ray port at "
                            + RemoteValues.hostForUri(r.address()) + ":" + r.port() + ": "
                            + Objects.requireNonNullElse(r.error(), "no connection")
                            + " (vLLM's ranks connect to each other; open the ports between the nodes)");
                }
            }
        }
        differing("vLLM", vllmVersions, blockers);
        differing("Ray", rayVersions, blockers);
        JsonNode order = event.path("order");
        if (order.isObject() && !order.path("keeps_plan").asBoolean(true)) {
            blockers.add("rank order: " + text(order, "message", "this vLLM would not keep the planned rank order"));
        }
        return new PreflightReport(nodes, blockers, warnings);
    }

    private static PreflightReport.NodeReport node(JsonNode n) {
        JsonNode facts = n.path("facts");
        List<PreflightReport.Gpu> gpus = new ArrayList<>();
        facts.path("gpus").forEach(g -> gpus.add(new PreflightReport.Gpu(g.path("index").asText("?"),
                g.path("name").asText("?"), g.path("memory_total_mib").asLong(-1),
                g.path("memory_free_mib").asLong(-1))));
        List<PreflightReport.Reach> reaches = new ArrayList<>();
        facts.path("reaches").forEach(r -> reaches.add(new PreflightReport.Reach(r.path("node").asText("?"),
                r.path("address").asText("?"), r.path("port").asInt(), r.path("reachable").asBoolean(false),
                text(r, "error", null))));
        return new PreflightReport.NodeReport(n.path("rank").asInt(), n.path("node").asText("?"),
                n.path("address").asText("?"), text(n, "ray_ip", null), text(facts, "ray", null),
                text(facts, "vllm", null), text(facts, "executor", null), Math.max(0, n.path("ray_gpus").asDouble(0)),
                gpus, reaches);
    }

    /**
     * vLLM reserves utilisation × total memory at start on each GPU of a stage and refuses to start with less free:
     * the least free of the stage's {@code gpus} best GPUs decides.
     */
    private static void gpuMemory(JsonNode facts, PreflightReport.NodeReport node, String who,
            ClusterSnapshot cluster, int gpus, List<String> blockers, List<String> warnings) {
        if (facts.hasNonNull("gpu_error")) {
            warnings.add(who + ": GPU memory not checked (" + facts.path("gpu_error").asText() + ")");
            return;
        }
        if (node.gpus().isEmpty()) {
            blockers.add(who + ": nvidia-smi lists no GPU on this node");
            return;
        }
        if (node.gpus().size() < gpus) {
            blockers.add(who + ": nvidia-smi lists " + node.gpus().size() + " GPU" + (node.gpus().size() == 1 ? ""
                    : "s") + " on this node, but its stage runs on " + gpus + " (tensor parallelism)");
            return;
        }
        double utilization = cluster.gpuMemoryUtilization();
        List<PreflightReport.Gpu> stage = node.mostFreeGpus(gpus);
        PreflightReport.Gpu best = stage.get(stage.size() - 1);
        if (best.totalMib() > 0 && best.freeMib() >= 0 && best.freeMib() < utilization * best.totalMib()) {
            blockers.add(String.format(Locale.ROOT, "%s: GPU %s (%s) has %d of %d MiB free; vLLM needs %.2f x %d = "
                    + "%.0f MiB free to start (free the GPU or lower --gpu-memory-utilization)", who, best.index(),
                    best.name(), best.freeMib(), best.totalMib(), utilization, best.totalMib(),
                    utilization * best.totalMib()));
        }
        if (cluster.nodes().stream().noneMatch(s -> s.id().equals(node.nodeId())) || best.totalMib() <= 0) {
            return;
        }
        GpuSpec planned = cluster.node(node.nodeId()).gpu();
        double plannedMib = planned.memoryBytes() / (1024.0 * 1024.0);
        if (Math.abs(best.totalMib() - plannedMib) > MEMORY_TOLERANCE * plannedMib) {
            warnings.add(String.format(Locale.ROOT, "%s: the cluster file plans a %s with %.0f MiB, nvidia-smi "
                    + "reports %s with %d MiB: the plan's memory fit may not hold", who, planned.name(), plannedMib,
                    best.name(), best.totalMib()));
        }
    }

    private static void differing(String what, Map<String, String> versions, List<String> blockers) {
        if (versions.values().stream().distinct().count() > 1) {
            List<String> each = new ArrayList<>();
            versions.forEach((node, version) -> each.add(node + " " + version));
            blockers.add(what + " differs between the nodes (" + String.join(", ", each) + "); every node must run "
                    + "the same " + what);
        }
    }

    private static String text(JsonNode n, String field, String otherwise) {
        JsonNode v = n.path(field);
        return v.isTextual() && !v.asText().isBlank() ? v.asText() : otherwise;
    }

    private static String format(double gpus) {
        return gpus == Math.rint(gpus) ? Long.toString((long) gpus) : Double.toString(gpus);
    }
}
