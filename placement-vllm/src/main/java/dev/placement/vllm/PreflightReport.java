package dev.placement.vllm;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a preflight check found on each planned node of a Ray cluster, and what would block the launch or should
 * be known before it (see {@link RayJobsLauncher#preflight}). Immutable.
 *
 * @param nodes    one entry per planned rank, rank 0 first
 * @param blockers what would make the launch fail, one line each naming the node; empty when nothing blocks
 * @param warnings what the launch survives but the user should know (a GPU the check could not list, a GPU
 *                 whose memory differs from the cluster file's); one line each
 */
public record PreflightReport(List<NodeReport> nodes, List<String> blockers, List<String> warnings) {

    /**
     * Validates that there is a node and copies the lists.
     *
     * @param nodes    one entry per planned rank, rank 0 first; not empty
     * @param blockers what would make the launch fail, one line each; not null, empty when nothing blocks
     * @param warnings what the launch survives but the user should know, one line each; not null
     * @throws IllegalArgumentException if there are no nodes
     */
    public PreflightReport {
        nodes = List.copyOf(nodes);
        blockers = List.copyOf(blockers);
        warnings = List.copyOf(warnings);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a preflight report needs at least one node");
        }
    }

    /** @return whether something would block the launch */
    public boolean blocked() {
        return !blockers.isEmpty();
    }

    /**
     * One planned node as the preflight job saw it. Text fields that the check could not learn are {@code null}.
     *
     * @param rank           the pipeline rank planned on this node
     * @param nodeId         the node's id in the cluster file
     * @param plannedAddress the node's address in the cluster file (an IP or Ray node name)
     * @param rayAddress     the IP Ray registered for the node ({@code NodeManagerAddress}); null when Ray does
     *                       not know the node
     * @param rayVersion     Ray's version on the node; null when the node's check did not run
     * @param vllmVersion    the installed vLLM's version on the node; null when vLLM is missing or the check did
     *                       not run
     * @param executor       the Ray executor that vLLM runs ranks with ({@code RayExecutorV2} from vLLM 0.20.0,
     *                       else {@code RayDistributedExecutor}); null without a vLLM
     * @param rayGpus        the GPUs Ray counts on the node (its {@code GPU} resource); 0 when unknown
     * @param gpus           the GPUs {@code nvidia-smi} lists on the node, empty when it could not list them
     * @param reaches        for every other planned node Ray knows, whether its Ray port opened from this node
     */
    public record NodeReport(int rank, String nodeId, String plannedAddress, String rayAddress, String rayVersion,
            String vllmVersion, String executor, double rayGpus, List<Gpu> gpus, List<Reach> reaches) {

        /**
         * Validates the rank, GPU count and ids, and copies the lists.
         *
         * @param rank           the pipeline rank planned on this node; &ge; 0
         * @param nodeId         the node's id in the cluster file; not null
         * @param plannedAddress the node's address in the cluster file; not null
         * @param rayAddress     the IP Ray registered for the node; null when Ray does not know the node
         * @param rayVersion     Ray's version on the node; null when the node's check did not run
         * @param vllmVersion    the installed vLLM's version on the node; null when vLLM is missing or unchecked
         * @param executor       the Ray executor that vLLM runs ranks with; null without a vLLM
         * @param rayGpus        the GPUs Ray counts on the node; &ge; 0, 0 when unknown
         * @param gpus           the GPUs {@code nvidia-smi} lists on the node; not null
         * @param reaches        for every other planned node Ray knows, whether its Ray port opened; not null
         * @throws IllegalArgumentException if the rank or GPU count is negative
         * @throws NullPointerException     if the node id, the planned address or a list is null
         */
        public NodeReport {
            if (rank < 0 || rayGpus < 0) {
                throw new IllegalArgumentException("rank and rayGpus must not be negative: " + rank + ", " + rayGpus);
            }
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(plannedAddress, "plannedAddress");
            gpus = List.copyOf(gpus);
            reaches = List.copyOf(reaches);
        }

        /** @return the GPU with the most free memory (the one a new rank can best use), if any was listed */
        public Optional<Gpu> mostFreeGpu() {
            return gpus.stream().max(Comparator.comparingLong(Gpu::freeMib));
        }

        /**
         * @param count how many GPUs a stage runs on; positive
         * @return up to {@code count} GPUs with the most free memory, the most free first (the ones a stage's
         *         ranks can best use)
         */
        public List<Gpu> mostFreeGpus(int count) {
            return gpus.stream().sorted(Comparator.comparingLong(Gpu::freeMib).reversed()).limit(count).toList();
        }
    }

    /**
     * One GPU as {@code nvidia-smi} lists it.
     *
     * @param index         its index on the node
     * @param name          its name, for example {@code Tesla T4}
     * @param totalMib      its memory in MiB; -1 when nvidia-smi reports none
     * @param freeMib       its free memory in MiB when the check ran; -1 when nvidia-smi reports none
     */
    public record Gpu(String index, String name, long totalMib, long freeMib) {
        /**
         * Checks that the index and name are given.
         *
         * @param index    its index on the node; not null
         * @param name     its name, for example {@code Tesla T4}; not null
         * @param totalMib its memory in MiB; -1 when nvidia-smi reports none
         * @param freeMib  its free memory in MiB when the check ran; -1 when nvidia-smi reports none
         * @throws NullPointerException if the index or name is null
         */
        public Gpu {
            Objects.requireNonNull(index, "index");
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Whether one planned node's Ray port opened from another.
     *
     * @param nodeId    the node tried
     * @param address   the address tried (Ray's {@code NodeManagerAddress})
     * @param port      the port tried (Ray's {@code NodeManagerPort})
     * @param reachable whether a TCP connection opened within 3 s
     * @param error     why not (for example {@code Connection refused}); null when reachable
     */
    public record Reach(String nodeId, String address, int port, boolean reachable, String error) {
        /**
         * Checks that the node id and address are given.
         *
         * @param nodeId    the node tried; not null
         * @param address   the address tried (Ray's {@code NodeManagerAddress}); not null
         * @param port      the port tried (Ray's {@code NodeManagerPort})
         * @param reachable whether a TCP connection opened within 3 s
         * @param error     why not (for example {@code Connection refused}); null when reachable
         * @throws NullPointerException if the node id or address is null
         */
        public Reach {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(address, "address");
        }
    }
}
